// The emulator's own (control and inspection) paths and the methods each answers: one table, used to answer a
// known path called with the wrong method with 405 and an Allow header (instead of "no function"), and listed in
// emulator.json. Everything else is an HTTP access path of cloudbase-routes.json (any method).

export interface ControlPath {
  /** Path template as documented, e.g. /functions/{name}. */
  template: string;
  methods: readonly string[];
}

export const CONTROL_PATHS: readonly ControlPath[] = [
  { template: '/', methods: ['GET'] },
  { template: '/functions/{name}', methods: ['POST'] },
  { template: '/triggers/{function}/{trigger}', methods: ['POST'] },
  { template: '/db', methods: ['GET'] },
  { template: '/db/{collection}', methods: ['GET', 'POST'] },
  { template: '/client-db/{collection}', methods: ['POST'] },
  { template: '/messages', methods: ['GET'] },
  { template: '/control/subscriptions', methods: ['POST'] },
  { template: '/invocations', methods: ['GET'] },
];

const compiled = CONTROL_PATHS.map((p) => ({
  ...p,
  re: new RegExp(`^${p.template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The methods a control path answers, or undefined when the path is not one of the emulator's own. */
export function allowedMethods(pathname: string): readonly string[] | undefined {
  const p = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return compiled.find((c) => c.re.test(p))?.methods;
}
