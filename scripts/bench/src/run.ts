/**
 * `npm run bench`: prints a table, then one JSON line with the figures, e.g.
 * {"codec":{"signBuild":{"ops":…,"vsTenpay":…,"vsAxiosPlugin":…,"vsFloor":…},"parseVerify":{…}},
 *  "payNotify":{"firstDbOps":…,"duplicateDbOps":…,"p50Ms":…,"p99Ms":…,"maxMs":…,"perSecond":…,"n":…,"concurrency":…}}
 */
import { benchCodec, type CodecCaseResult, formatCodecTable } from './codec';
import { benchPayNotify, formatPayNotifyTable } from './pay-notify';

const round = (c: CodecCaseResult) => ({
  ops: Math.round(c.ops),
  vsTenpay: Number(c.vsTenpay.toFixed(2)),
  vsAxiosPlugin: Number(c.vsAxiosPlugin.toFixed(2)),
  vsFloor: Number(c.vsFloor.toFixed(2)),
});

async function main(): Promise<void> {
  const t0 = Date.now();
  console.log(`Shouyin benchmark — Node ${process.version}, ${process.arch}`);
  const codec = await benchCodec();
  console.log('\nCodec (one process, best of 8 interleaved rounds)');
  console.log(formatCodecTable(codec));
  const payNotify = await benchPayNotify();
  console.log('\npayNotify in the emulator (HTTP access, signed notifications, sandbox merchant)');
  console.log(formatPayNotifyTable(payNotify));
  console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const { firstDbOps, duplicateDbOps, p50Ms, p99Ms, maxMs, perSecond, n, concurrency } = payNotify;
  console.log(
    JSON.stringify({
      codec: { signBuild: round(codec.signBuild), parseVerify: round(codec.parseVerify) },
      payNotify: { firstDbOps, duplicateDbOps, p50Ms, p99Ms, maxMs, perSecond, n, concurrency },
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
