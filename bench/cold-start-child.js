'use strict';
/**
 * One Lambda cold start, run by `npm run bench` in a fresh `node` process (plain JS, so nothing
 * but the bundle is loaded): reads the event, then times `require(bundle)` and the handler's first
 * response with process.hrtime.bigint(). The result goes to fd 3 as one JSON line, so whatever the
 * handler logs on stdout/stderr cannot corrupt it.
 *
 * usage: node cold-start-child.js <bundle.js> <event.json> <function name>
 */
const fs = require('node:fs');

/** As much of the body as the bench checks (BODY_CHARS in bench/cold-start-cases.ts). */
const BODY_CHARS = 4000;

const [bundlePath, eventPath, functionName] = process.argv.slice(2);
const event = JSON.parse(fs.readFileSync(eventPath, 'utf8'));
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: `bench-${process.pid}`,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 30000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

const report = (result) => {
  fs.writeSync(3, JSON.stringify(result) + '\n');
  // Lambda would freeze here; the SDK's keep-alive sockets must not keep the process alive.
  process.exit(0);
};
const ms = (ns) => Number(ns) / 1e6;

// Time from process start until the bundle is required (Node's own bootstrap + this script).
const bootMs = performance.now();
const t0 = process.hrtime.bigint();
let mod;
try {
  mod = require(bundlePath);
} catch (error) {
  report({ error: `require failed: ${error && error.stack ? error.stack : error}` });
}
const t1 = process.hrtime.bigint();
Promise.resolve()
  .then(() => mod.handler(event, context))
  .then(
    (response) => {
      const t2 = process.hrtime.bigint();
      report({
        bootMs,
        loadMs: ms(t1 - t0),
        invokeMs: ms(t2 - t1),
        totalMs: ms(t2 - t0),
        statusCode: response && response.statusCode,
        body: response && typeof response.body === 'string' ? response.body.slice(0, BODY_CHARS) : undefined,
      });
    },
    (error) => report({ error: `handler threw: ${error && error.stack ? error.stack : error}` }),
  );
