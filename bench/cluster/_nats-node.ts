/**
 * A stand-in cluster node for bench/cluster/ (a child process): connects through the messaging port and
 *   echo                    answers requests on floor.echo (queue group "floor") with the request's bytes;
 *   presence <id> <beatMs>  answers $SRV.PING / $SRV.PING.elmscale like a NATS micro service, and writes a heartbeat
 *                           to the KV bucket "presence_bench" every beatMs.
 * Prints "ready" when subscribed; answers "cpu" on stdin with its process.cpuUsage() as JSON.
 */
import { createInterface } from 'node:readline';
import { connectCluster } from '../../src/adapters/node/nats/index.js';

const [url, mode, id = 'n', beat = '500'] = process.argv.slice(2);
const port = await connectCluster(url!, { name: `bench-${mode}-${id}` });
const te = new TextEncoder();

if (mode === 'echo') {
  port.subscribe('floor.echo', (m) => m.respond(m.data), { queue: 'floor' });
} else if (mode === 'presence') {
  const info = te.encode(
    JSON.stringify({ type: 'io.nats.micro.v1.ping_response', name: 'elmscale', id, version: '0.1.0' }),
  );
  for (const s of ['$SRV.PING', '$SRV.PING.elmscale']) port.subscribe(s, (m) => m.respond(info));
  const kv = await port.kv('presence_bench', { maxAgeMs: 3 * Number(beat), storage: 'memory' });
  const put = () => kv.put(id, te.encode(JSON.stringify({ id, at: Date.now(), inflight: 0 }))).catch(() => undefined);
  await put();
  setInterval(put, Number(beat));
} else {
  throw new Error(`unknown mode ${mode}`);
}
await port.flush();
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).on('line', (l) => {
  if (l === 'cpu') process.stdout.write(`cpu ${JSON.stringify(process.cpuUsage())}\n`);
});
