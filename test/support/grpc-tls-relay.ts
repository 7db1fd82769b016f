// A TLS front for the Temporal dev server, for the secure-connection tests. The dev server of Temporal CLI
// 1.5.1 cannot serve TLS (`temporal server start-dev --help` has no TLS flags), so the clients' TLS, mTLS
// and API-key settings are tested against this relay instead: a real TLS endpoint (node:http2 over
// node:tls, ALPN h2) that terminates TLS, optionally requires a client certificate signed by the test CA,
// optionally requires `authorization: Bearer <key>` on every call (answering UNAUTHENTICATED otherwise,
// as Temporal Cloud does), and forwards each gRPC call to the dev server in plaintext.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface TlsRelayOptions {
  /** The plaintext gRPC server behind the relay (host:port). */
  target: string;
  cert: string;
  key: string;
  /** Require a client certificate signed by this CA (mutual TLS). */
  clientCa?: string;
  /** Require this API key as `authorization: Bearer <key>`. */
  apiKey?: string;
}

export interface TlsRelay {
  /** 127.0.0.1:<port> */
  address: string;
  /** What the relay saw of each call: the path, the authorization header, the client certificate's CN. */
  calls: Array<{ path: string; authorization?: string; clientCn?: string }>;
  /** Calls refused for a missing or wrong API key. */
  refused: number;
  close(): Promise<void>;
}

const GRPC_UNAUTHENTICATED = '16';

export async function startTlsRelay(opts: TlsRelayOptions): Promise<TlsRelay> {
  const upstream = http2.connect(`http://${opts.target}`);
  upstream.on('error', () => undefined);
  const server = http2.createSecureServer({
    cert: opts.cert,
    key: opts.key,
    allowHTTP1: false,
    ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
  });
  const relay: TlsRelay = {
    address: '',
    calls: [],
    refused: 0,
    close: async () => {
      upstream.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open sessions (long polls) would hold close() forever.
        for (const s of sessions) s.destroy();
      });
    },
  };
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    const socket = stream.session?.socket as TLSSocket | undefined;
    const cn = socket?.getPeerCertificate?.()?.subject?.CN;
    const clientCn = typeof cn === 'string' ? cn : undefined;
    const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
    relay.calls.push({ path: String(headers[':path']), ...(authorization ? { authorization } : {}), ...(clientCn ? { clientCn } : {}) });
    if (opts.apiKey !== undefined && authorization !== `Bearer ${opts.apiKey}`) {
      relay.refused += 1;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': GRPC_UNAUTHENTICATED, 'grpc-message': 'missing or wrong API key' }, { endStream: true });
      return;
    }
    const forwarded: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name === ':scheme' || name === ':authority' || name === 'authorization') continue;
      forwarded[name] = value;
    }
    const call = upstream.request(forwarded);
    stream.pipe(call);
    let responseHeaders: http2.IncomingHttpHeaders | undefined;
    let trailers: http2.IncomingHttpHeaders = {};
    let responded = false;
    const respond = (endStream: boolean) => {
      responded = true;
      const { ':status': status = 200, ...rest } = responseHeaders ?? {};
      stream.respond({ ':status': status, ...rest, ...(endStream ? trailers : {}) }, endStream ? { endStream: true } : { waitForTrailers: true });
    };
    call.on('response', (h) => (responseHeaders = h));
    call.on('trailers', (t) => (trailers = t));
    call.on('data', (chunk: Buffer) => {
      if (!responded) respond(false);
      stream.write(chunk);
    });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    call.on('end', () => {
      if (stream.destroyed) return;
      // A gRPC "trailers-only" answer (an error status and no message): headers and trailers in one frame.
      if (!responded) respond(true);
      else stream.end();
    });
    call.on('error', () => stream.destroyed || stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('error', () => call.destroyed || call.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('close', () => call.destroyed || call.close(http2.constants.NGHTTP2_CANCEL));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return relay;
}
