/** Small HTTP helpers: bounded body reading, answers, and WeChat front-end (nginx) error pages. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads the body; resolves undefined when it exceeds `limit` bytes (the rest is discarded). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': buf.length });
  res.end(buf);
}

/** An nginx-style error page like WeChat's front answers with (spec §9 pitfall 10). */
export function nginxPage(status: number, title: string, detail?: string): string {
  const head = `${status} ${detail ?? title}`;
  return (
    `<html>\r\n<head><title>${head}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n` +
    (detail ? `<center>${detail}</center>\r\n` : '') +
    `<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

export function sendNginx(res: ServerResponse, status: number, title: string, detail?: string): void {
  res.setHeader('Server', 'nginx');
  send(res, status, 'text/html', nginxPage(status, title, detail));
}

export const NO_CERT = 'No required SSL certificate was sent';
export const CERT_ERROR = 'The SSL certificate error';
