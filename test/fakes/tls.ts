// A throwaway certificate authority for TLS tests, made at test time with the system's `openssl`
// (Debian's): a CA, and a server certificate it signed for 127.0.0.1 / localhost. Nothing is
// committed: every run makes its own, so no test depends on a key that could be reused elsewhere.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  /** PEM of the CA certificate: what a client must trust. */
  caCert: string;
  /** Path of the CA certificate file (for settings such as `switchyard.team.caFile`). */
  caFile: string;
  /** The server's key and certificate (signed by the CA), for `https.createServer`. */
  key: string;
  cert: string;
  /** Removes the folder holding the files. */
  dispose(): void;
}

/** Makes a CA and a server certificate for `hosts` (IP addresses or names; default 127.0.0.1 and localhost). */
export function makeTestCa(hosts: string[] = ['127.0.0.1', 'localhost']): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-ca-'));
  const path = (name: string) => join(dir, name);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Switchyard Test CA',
    '-keyout', path('ca.key'), '-out', path('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${hosts[0]}`, '-keyout', path('server.key'), '-out', path('server.csr'));
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  writeFileSync(path('ext.cnf'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  run('x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial',
    '-days', '2', '-out', path('server.pem'), '-extfile', path('ext.cnf'));
  return {
    caCert: readFileSync(path('ca.pem'), 'utf8'),
    caFile: path('ca.pem'),
    key: readFileSync(path('server.key'), 'utf8'),
    cert: readFileSync(path('server.pem'), 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
