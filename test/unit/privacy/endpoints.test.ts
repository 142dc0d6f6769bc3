import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointClassifier, isLoopbackAddress, isPrivateAddress, unmapAddress, type Resolver } from '../../../src/core/privacy/node/endpoints';

/** A resolver backed by a table; unknown names fail like a DNS miss. */
function table(entries: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (host: string): Promise<string[]> => {
    calls.push(host);
    const found = entries[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };
  return Object.assign(fn, { calls });
}

const resolver = table({
  localhost: ['127.0.0.1', '::1'],
  'dev.localtest.me': ['127.0.0.1'],
  'half.example': ['127.0.0.1', '93.184.216.34'],
  'api.openai.com': ['104.18.7.192', '2606:4700::6812:7c0'],
  'gpu.team.lan': ['10.1.2.3'],
  'gpu-public.team.lan': ['10.1.2.3', '8.8.8.8'],
  'nas.lan': ['192.168.1.20'],
  'empty.example': [],
});

async function cls(url: string, trusted: string[] = []): Promise<string> {
  const c = new EndpointClassifier({ resolve: resolver, trustedNetworkHosts: trusted });
  return (await c.classify(new URL(url))).endpointClass;
}

describe('address helpers', () => {
  it('recognises loopback in every spelling', () => {
    for (const a of ['127.0.0.1', '127.255.1.2', '::1', '[::1]', '::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:0001', '0:0:0:0:0:0:0:1']) {
      assert.equal(isLoopbackAddress(a), true, a);
    }
    for (const a of ['128.0.0.1', '10.0.0.1', '::2', '::ffff:8.8.8.8', '::ffff:808:808', '0.0.0.0', '::', 'fe80::1', 'localhost', '']) {
      assert.equal(isLoopbackAddress(a), false, a);
    }
  });

  it('unmaps IPv4-mapped IPv6 addresses', () => {
    assert.equal(unmapAddress('::ffff:7f00:1'), '127.0.0.1');
    assert.equal(unmapAddress('::FFFF:10.0.0.7'), '10.0.0.7');
    assert.equal(unmapAddress('2001:db8::1'), '2001:db8::1');
  });

  it('knows private ranges', () => {
    for (const a of ['10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.0.1', '169.254.1.1', 'fd00::1', 'fe80::1', '::ffff:192.168.1.1', '100.64.0.1']) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['172.32.0.1', '8.8.8.8', '2606:4700::1', '11.0.0.1']) assert.equal(isPrivateAddress(a), false, a);
  });
});

describe('EndpointClassifier', () => {
  it('classifies loopback literals as machine without resolving', async () => {
    resolver.calls.length = 0;
    assert.equal(await cls('http://127.0.0.1:11434'), 'machine');
    assert.equal(await cls('http://[::1]:8080/v1'), 'machine');
    assert.equal(await cls('http://[::ffff:127.0.0.1]:8080/v1'), 'machine');
    assert.equal(await cls('http://2130706433:11434/'), 'machine'); // 127.0.0.1 as a decimal number
    assert.deepEqual(resolver.calls, []);
  });

  it('resolves names and needs every address to be loopback', async () => {
    assert.equal(await cls('http://localhost:11434'), 'machine');
    assert.equal(await cls('http://dev.localtest.me:11434'), 'machine');
    assert.equal(await cls('http://half.example:11434'), 'cloud');
    assert.equal(await cls('https://api.openai.com/v1'), 'cloud');
  });

  it('treats resolution failures and empty answers as cloud', async () => {
    assert.equal(await cls('http://nowhere.invalid:11434'), 'cloud');
    assert.equal(await cls('http://empty.example'), 'cloud');
    const throwing = new EndpointClassifier({ resolve: () => Promise.reject(new Error('boom')) });
    const c = await throwing.classify(new URL('http://some.host'));
    assert.equal(c.endpointClass, 'cloud');
    assert.match(c.detail, /could not be classified/);
  });

  it('only trusts private hosts the user named (by name, address or CIDR)', async () => {
    assert.equal(await cls('http://gpu.team.lan:8000/v1'), 'cloud', 'private but not trusted');
    assert.equal(await cls('http://gpu.team.lan:8000/v1', ['gpu.team.lan']), 'network');
    assert.equal(await cls('http://GPU.Team.LAN:8000/v1', ['gpu.team.lan']), 'network');
    assert.equal(await cls('http://gpu.team.lan:8000/v1', ['10.1.2.3']), 'network');
    assert.equal(await cls('http://nas.lan:11434', ['192.168.0.0/16']), 'network');
    assert.equal(await cls('http://10.9.9.9:11434', ['10.0.0.0/8']), 'network');
    assert.equal(await cls('http://[fd12::5]:11434', ['fd12::/16']), 'network');
    assert.equal(await cls('http://nas.lan:11434', ['10.0.0.0/8']), 'cloud');
  });

  it('never trusts a public address, even when its name is listed', async () => {
    assert.equal(await cls('http://gpu-public.team.lan:8000', ['gpu-public.team.lan']), 'cloud');
    assert.equal(await cls('https://api.openai.com/v1', ['api.openai.com']), 'cloud');
    assert.equal(await cls('http://8.8.8.8', ['8.8.8.8']), 'cloud');
    assert.equal(await cls('http://8.8.8.8', ['0.0.0.0/0']), 'cloud');
  });

  it('ignores malformed trusted entries instead of trusting more', async () => {
    assert.equal(await cls('http://10.1.2.3', ['10.0.0.0/99', '', '  ', 'not a host/x']), 'cloud');
  });

  it('handles schemes: unix sockets are machine, others cloud', async () => {
    assert.equal(await cls('unix:/var/run/ollama.sock'), 'machine');
    assert.equal(await cls('ftp://127.0.0.1/'), 'cloud');
    assert.equal(await cls('file:///etc/passwd'), 'cloud');
  });

  it('does not treat 0.0.0.0 or :: as loopback', async () => {
    assert.equal(await cls('http://0.0.0.0:11434'), 'cloud');
    assert.equal(await cls('http://[::]:11434'), 'cloud');
  });
});
