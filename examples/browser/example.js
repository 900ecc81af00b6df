// The library from the browser build (npm run build → dist/browser/edge/elmscale.js, elmscale.wasm beside it).
// In an app that installs the package: import { ... } from 'elmscale/browser'.
import { loadBrowserBackend, loadModel } from '../../dist/browser/edge/elmscale.js';

const out = document.getElementById('out');
const log = (s) => (out.textContent += s + '\n');

const { backend, fallbackReason } = await loadBrowserBackend();
out.textContent = `backend: ${backend.name}${fallbackReason ? ` (${fallbackReason})` : ''}\n`;

async function run(source) {
  const { model, contentHash, byteLength } = await loadModel(source, { backend });
  log(`model ${model.kind} ${model.inputDim} → ${model.outputDim}, ${byteLength} bytes, sha256 ${contentHash}`);
  const x = new Float32Array(model.inputDim).map((_, i) => (i * 7) % 17); // any input row
  const probs = model.predict(x, 1);
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
  log(`prediction: ${model.labels?.[best] ?? best}  (${Array.from(probs, (p) => p.toFixed(3)).join(' ')})`);
  const n = 20000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) model.predict(x, 1, probs);
  log(`${(((performance.now() - t0) * 1000) / n).toFixed(2)} µs per single-row predict (mean of ${n})`);
  window.exampleResult = { contentHash, prediction: best, probs: Array.from(model.predict(x, 1)) };
  model.dispose();
}

const url = new URLSearchParams(location.search).get('model');
if (url) await run(url);
document.getElementById('file').onchange = async (e) => {
  const f = e.target.files[0];
  if (f) await run(new Uint8Array(await f.arrayBuffer()));
};
