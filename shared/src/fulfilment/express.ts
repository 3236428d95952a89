/**
 * Express companies: WeChat's delivery ids (`express_company`, from its get_delivery_list) for the common
 * carriers, extendable by configuration (SHIPPING_EXPRESS_COMPANIES="CODE:名称,CODE:名称").
 */
import { ConfigError } from '../errors';

export const BUILT_IN_EXPRESS_COMPANIES: Readonly<Record<string, string>> = {
  SF: '顺丰速运',
  ZTO: '中通快递',
  YTO: '圆通速递',
  YD: '韵达速递',
  STO: '申通快递',
  JTSD: '极兔速递',
  EMS: 'EMS',
  JD: '京东物流',
  DBL: '德邦快递',
  YZPY: '邮政快递包裹',
};

/** SF Express: WeChat requires a (masked) contact on its shipments. */
export const SF_EXPRESS = 'SF';

const CODE = /^[A-Z0-9_]{1,32}$/;

/** The built-in table plus `CODE:名称` pairs from configuration (ConfigError naming the variable). */
export function expressCompanies(
  extra: string | undefined,
  variable = 'SHIPPING_EXPRESS_COMPANIES',
): Record<string, string> {
  const table: Record<string, string> = { ...BUILT_IN_EXPRESS_COMPANIES };
  if (extra === undefined || extra.trim() === '') return table;
  for (const part of extra.split(',')) {
    const [code, name, ...rest] = part.split(':').map((s) => s.trim());
    if (!code || !CODE.test(code) || !name || rest.length > 0 || name.length > 40)
      throw new ConfigError(variable, 'must be CODE:名称 pairs separated by commas (CODE is A-Z, 0-9, _)');
    table[code] = name;
  }
  return table;
}
