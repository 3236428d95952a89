/**
 * `npm run sandbox` — runs the WeChat Pay v2 sandbox standalone.
 *   --port N                 0 = any free port (default 0)
 *   --host H                 default 127.0.0.1
 *   --state-dir DIR          default ./.sandbox
 *   --clean                  wipe the sandbox's state (orders, keys, certificates) first
 *   --allow-loopback-notify  accept http://127.0.0.1:PORT/… and http://localhost:PORT/… notify_url
 *   --config FILE            JSON: { "merchants": [...], "notify": {...}, "refundSettleDelayMs": N } or a merchant array
 *   --clock-scale N          virtual time runs N times faster than real time
 *   --no-persist             keep state in memory only
 * Prints the base URL, the CA file and the demo merchant's credentials; Ctrl-C stops it cleanly.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type SandboxOptions, startSandbox } from './index';

function fail(msg: string): never {
  process.stderr.write(`sandbox: ${msg}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'state-dir': { type: 'string', default: './.sandbox' },
      clean: { type: 'boolean', default: false },
      'allow-loopback-notify': { type: 'boolean', default: false },
      config: { type: 'string' },
      'clock-scale': { type: 'string' },
      'no-persist': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: sandbox [--port N] [--host H] [--state-dir DIR] [--clean] [--allow-loopback-notify] [--config FILE] [--clock-scale N] [--no-persist]\n',
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be 0..65535');
  const opts: SandboxOptions = {
    host: values.host,
    port,
    stateDir: values['state-dir'],
    clean: values.clean,
    persist: !values['no-persist'],
    allowLoopbackNotify: values['allow-loopback-notify'],
    log: (line) => process.stdout.write(`[sandbox] ${line}\n`),
  };
  if (values.config) {
    let cfg: unknown;
    try {
      cfg = JSON.parse(readFileSync(values.config, 'utf8'));
    } catch (err) {
      fail(`cannot read --config ${values.config}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (Array.isArray(cfg)) opts.merchants = cfg;
    else if (cfg && typeof cfg === 'object') {
      const c = cfg as Pick<
        SandboxOptions,
        'merchants' | 'notify' | 'refundSettleDelayMs' | 'allowLoopbackNotify'
      >;
      opts.merchants = c.merchants;
      opts.notify = c.notify;
      if (c.refundSettleDelayMs !== undefined) opts.refundSettleDelayMs = c.refundSettleDelayMs;
      if (c.allowLoopbackNotify) opts.allowLoopbackNotify = true;
    } else fail('--config must hold a JSON object or array');
  }
  if (values['clock-scale'] !== undefined) {
    const factor = Number(values['clock-scale']);
    if (!(factor > 0)) fail('--clock-scale must be a positive number');
    opts.clock = { mode: 'scaled', factor };
  }

  const sb = await startSandbox(opts).catch((err: unknown) =>
    fail(err instanceof Error ? err.message : String(err)),
  );
  const lines = [
    `WeChat Pay v2 sandbox on ${sb.baseUrl}`,
    `  CA file:      ${sb.caFile}`,
    `  control API:  ${sb.info.controlUrl}  (e.g. curl --cacert ${sb.caFile} ${sb.info.controlUrl}/orders)`,
    `  state:        ${sb.stateDir}/sandbox.json`,
  ];
  for (const m of sb.info.merchants) {
    lines.push(
      `  merchant ${m.mchId}: appid ${m.appid}, sign type ${m.signType}`,
      `    API key (sandbox only): ${m.apiKey}`,
      `    cert ${m.certFile}`,
      `    key  ${m.keyFile}`,
      `    p12  ${m.p12File} (password = mch_id)`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\nCtrl-C to stop.\n`);

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    sb.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

void main();
