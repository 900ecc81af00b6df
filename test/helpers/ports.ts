import { createServer, type Server } from 'node:net';

/** Loopback only: tests never listen on or connect to anything else. */
export const LOOPBACK = '127.0.0.1';

function listenOnce(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, LOOPBACK, () => resolve(s));
  });
}

/**
 * `n` distinct free TCP ports on 127.0.0.1 (all held open until every one is chosen, then released). Another
 * process may still take one before our server binds it; callers that start servers retry on "address in use".
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) servers.push(await listenOnce());
    return servers.map((s) => {
      const a = s.address();
      if (a === null || typeof a === 'string') throw new Error('no port');
      return a.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
