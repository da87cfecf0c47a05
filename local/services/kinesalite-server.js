/**
 * kinesalite on 127.0.0.1:<port> (argv[2]) until stopped: run as its own process by
 * kinesis.ts, so that, like Amazon Kinesis, it does not share the caller's event loop.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite');

const port = Number(process.argv[2]);
const server = kinesalite({ createStreamMs: 50, deleteStreamMs: 50 });
server.once('error', (error) => {
  console.error(`kinesalite: ${error.message}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => console.log(`kinesalite listening on 127.0.0.1:${port}`));
