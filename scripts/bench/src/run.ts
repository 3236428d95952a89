/**
 * `npm run bench`: prints a table, then one JSON line with the figures, e.g.
 * {"codec":{"signBuild":{"ops":…,"vsTenpay":…,"vsAxiosPlugin":…,"vsFloor":…},"parseVerify":{…}}}
 */
import { benchCodec, type CodecCaseResult, formatCodecTable } from './codec';

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
  console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(
    JSON.stringify({ codec: { signBuild: round(codec.signBuild), parseVerify: round(codec.parseVerify) } }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
