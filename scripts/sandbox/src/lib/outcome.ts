/** A business result: the fields of a successful answer, or WeChat's err_code/err_code_des. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; des: string };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = (code: string, des: string): { ok: false; code: string; des: string } => ({
  ok: false,
  code,
  des,
});
