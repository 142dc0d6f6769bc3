// A fetch over node:https that trusts the system's certificate authorities plus extra ones (a team
// server's private CA). Node 20's built-in fetch cannot be given a CA without the undici package, so
// this small adapter over node:https does the one thing needed: requests with a `ca` list, streamed
// responses, and aborts. Errors look like fetch's (`TypeError: fetch failed` with the cause), so the
// callers' error mapping is the same as for the built-in fetch.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import tls from 'node:tls';

/** The CA certificates the system trusts (where Node can list them), else Node's bundled store. */
export function systemCertificates(): string[] {
  const get = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  if (get) {
    try {
      return [...new Set([...get('default'), ...get('system')])];
    } catch {
      // older Node: fall through to the bundled store
    }
  }
  return [...tls.rootCertificates];
}

/** Certificates in a PEM text (a file may hold several). */
export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** A fetch for http(s) URLs whose TLS trusts `ca` (PEM certificates). Keeps connections alive. */
export function caFetch(ca: readonly string[]): typeof fetch {
  const agent = new https.Agent({ keepAlive: true, ca: [...ca] });
  const plainAgent = new http.Agent({ keepAlive: true });
  const doFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    const method = init.method ?? request?.method ?? 'GET';
    const headers = new Headers(init.headers ?? request?.headers);
    const rawBody = init.body ?? (request?.body ? await request.arrayBuffer() : undefined);
    const body = rawBody === undefined || rawBody === null ? undefined
      : typeof rawBody === 'string' ? Buffer.from(rawBody) : Buffer.from(await new Response(rawBody).arrayBuffer());
    if (body && !headers.has('content-length')) headers.set('content-length', String(body.length));
    const signal = init.signal ?? request?.signal;
    if (signal?.aborted) throw abortError(signal);

    // A kept-alive socket the server has just closed fails on reuse; Node's docs advise one retry then
    // (the built-in fetch does the same). The body is a buffer, so it can be sent again.
    const send = (retried: boolean): Promise<Response> => new Promise<Response>((resolve, reject) => {
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(url, {
        method,
        headers: Object.fromEntries(headers),
        agent: url.protocol === 'https:' ? agent : plainAgent,
      }, (res) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
          else if (value !== undefined) responseHeaders.set(name, value);
        }
        const status = res.statusCode ?? 500;
        const noBody = status === 204 || status === 304 || method === 'HEAD';
        if (noBody) res.resume();
        const stream = noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
      });
      const onAbort = () => req.destroy(abortError(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => signal?.removeEventListener('abort', onAbort));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!retried && req.reusedSocket && err.code === 'ECONNRESET' && !signal?.aborted) return resolve(send(true));
        reject(signal?.aborted ? abortError(signal) : new TypeError('fetch failed', { cause: err }));
      });
      req.end(body);
    });
    return send(false);
  };
  return doFetch as typeof fetch;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
