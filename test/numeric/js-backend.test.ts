import { createJsBackend } from '../../src/numeric/js/index.js';
import { runBackendConformance } from './conformance.js';

runBackendConformance(() => createJsBackend());
