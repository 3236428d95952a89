// Loopback-only HTTP for the local tools (emulator, sandbox control API): a request whose Host or Origin names
// anything but this machine is refused. A web page open in the developer's browser can send requests to
// 127.0.0.1 (a cross-site form or fetch carries that page's Origin) or reach it through a DNS name rebound to
// 127.0.0.1 (the Host is then that name); neither may seed the database, call functions or pay orders.

/** localhost, *.localhost, 127.0.0.0/8, ::1 (with or without brackets). */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    h === '0:0:0:0:0:0:0:1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

function hostnameOfHostHeader(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Why a request must be refused, or undefined when its Host and Origin are loopback (or the address the server
 * was told to bind, `extraHost`). A missing Host is refused (HTTP/1.1 requires it); a missing Origin is fine
 * (non-browser clients send none); `Origin: null` (sandboxed frames, file: pages) is refused.
 */
export function loopbackRequestProblem(
  headers: { host?: string | string[]; origin?: string | string[] },
  extraHost?: string,
): string | undefined {
  const allowed = (hostname: string) =>
    isLoopbackHostname(hostname) ||
    (extraHost !== undefined &&
      hostname.replace(/^\[(.*)\]$/, '$1') === extraHost.replace(/^\[(.*)\]$/, '$1'));
  const host = Array.isArray(headers.host) ? headers.host[0] : headers.host;
  if (!host) return 'a Host header is required';
  const hostname = hostnameOfHostHeader(host);
  if (hostname === undefined || !allowed(hostname))
    return `Host ${JSON.stringify(host)} is not this machine (loopback only: DNS-rebinding protection)`;
  const origin = Array.isArray(headers.origin) ? headers.origin[0] : headers.origin;
  if (origin === undefined) return undefined;
  let originHost: string | undefined;
  try {
    const u = new URL(origin);
    if (u.protocol === 'http:' || u.protocol === 'https:') originHost = u.hostname;
  } catch {
    originHost = undefined;
  }
  if (originHost === undefined || !allowed(originHost))
    return `Origin ${JSON.stringify(origin)} is not this machine (cross-site requests are refused)`;
  return undefined;
}
