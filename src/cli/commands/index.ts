import type { Command } from 'commander';
import { registerTrain } from './train.js';
import { registerEval } from './eval.js';
import { registerPredict } from './predict.js';
import { registerInspect } from './inspect.js';
import { registerServe } from './serve.js';
import { registerExport } from './export.js';
import { registerQuantize } from './quantize.js';
import { registerDistill } from './distill.js';
import { registerRoute } from './route.js';
import { registerMoe } from './moe.js';
import { registerStrategiesReport } from './strategies-report.js';
import { registerBench } from './bench.js';
import { registerCluster } from './cluster.js';

/** Sets the process exit code from inside an action (actions never call process.exit). */
export type SetExit = (code: number) => void;

/** Every CLI command, in the order `elmscale --help` lists them. Add new commands here. */
export function registerCommands(program: Command, setExit: SetExit): void {
  registerTrain(program, setExit);
  registerEval(program, setExit);
  registerPredict(program, setExit);
  registerInspect(program, setExit);
  registerServe(program, setExit);
  registerExport(program, setExit);
  registerQuantize(program, setExit);
  registerDistill(program, setExit);
  registerRoute(program, setExit);
  registerMoe(program, setExit);
  registerStrategiesReport(program, setExit);
  registerBench(program, setExit);
  registerCluster(program, setExit);
}
