// The emulator's CA: name-constrained to loopback, so a certificate it signs for a real Microsoft
// host is refused by Node's TLS; and kept in a folder that must be the user's own. Writes
// temporary folders and listens on loopback.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCaDir, tlsMaterial } from './tls.ts';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const dirs: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'emulator-ca-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A leaf for `host`, signed with the CA key kept in `dir`: what someone holding that key could make. */
async function leafFor(dir: string, host: string): Promise<{ cert: string; key: string }> {
  const caCert = new x509.X509Certificate(readFileSync(join(dir, 'ca.pem'), 'utf8'));
  const der = x509.PemConverter.decode(readFileSync(join(dir, 'ca-key.pem'), 'utf8'))[0] as ArrayBuffer;
  const caKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: `CN=${host}`,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey as never,
    signingKey: caKey as never,
    extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]), new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }])],
  });
  const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { cert: `${leaf.toString('pem')}\n${caCert.toString('pem')}`, key };
}

/** Connects to a loopback server presenting `cert` as `servername`, trusting only the CA in `dir`:
 * undefined when Node's TLS accepts it, else its error. */
async function handshake(dir: string, material: { cert: string; key: string }, servername: string): Promise<Error | undefined> {
  const server = createServer(material, (s) => s.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<Error | undefined>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername, ca: readFileSync(join(dir, 'ca.pem'), 'utf8') }, () => {
        socket.end();
        resolve(undefined);
      });
      socket.on('error', resolve);
    });
  } finally {
    server.close();
  }
}

// Finding 7 of the security review: the CA could vouch for the real sign-in host.
describe('the emulator CA is name-constrained to loopback', () => {
  it('a leaf it signs for login.microsoftonline.com is refused by Node; its own loopback leaf is accepted', async () => {
    const dir = temp();
    const own = await tlsMaterial(dir);
    expect(await handshake(dir, own, 'localhost')).toBeUndefined();
    const err = await handshake(dir, await leafFor(dir, 'login.microsoftonline.com'), 'login.microsoftonline.com');
    expect(err?.message).toMatch(/permitted subtree violation|name constraint/i);
    expect(await handshake(dir, await leafFor(dir, 'graph.microsoft.com'), 'graph.microsoft.com')).toBeInstanceOf(Error);
  });

  it('a CA made before the constraint is replaced by one with it', async () => {
    const dir = temp();
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const old = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=old', notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 300 * 86_400_000), signingAlgorithm: ALG, keys: keys as never, extensions: [new x509.BasicConstraintsExtension(true, 0, true)] });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'ca.pem'), old.toString('pem'));
    writeFileSync(join(dir, 'ca-key.pem'), x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'));
    await tlsMaterial(dir);
    const now = new x509.X509Certificate(readFileSync(join(dir, 'ca.pem'), 'utf8'));
    expect(now.subject).not.toBe('CN=old');
    expect(now.getExtension('2.5.29.30')?.critical).toBe(true);
  });
});

// Issue 17 item 9: ca.pem had no final newline, so `cat ca.pem other.pem` glued the next
// certificate's BEGIN line to this one's END line and that certificate was lost.
describe('the CA file ends with a newline', () => {
  it('a new CA file, and one written before without it, end with one; a bundle made by concatenation keeps both certificates', async () => {
    const dir = temp();
    await tlsMaterial(dir);
    const pem = readFileSync(join(dir, 'ca.pem'), 'utf8');
    expect(pem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    const other = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '02', name: 'CN=other', notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000), signingAlgorithm: ALG, keys: (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as never });
    expect(x509.PemConverter.decode(pem + other.toString('pem'))).toHaveLength(2);

    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'ca.pem'), pem.trimEnd());
    await tlsMaterial(dir);
    expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).toBe(pem);
  });
});

// Finding 7: the CA lived in a fixed folder of the shared /tmp and was used without an owner check.
describe.skipIf(process.platform === 'win32')('the emulator CA folder must be the user\'s own', () => {
  it('the default folder is per user, and made 0700', async () => {
    expect(defaultCaDir()).toBe(join(tmpdir(), `entra-gitops-emulator-ca-${process.getuid?.()}`));
    const dir = join(temp(), 'new', 'ca');
    await tlsMaterial(dir);
    const { statSync } = await import('node:fs');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('a folder open to others (0777) is refused, naming it and the way out', async () => {
    const dir = temp();
    chmodSync(dir, 0o777);
    await expect(tlsMaterial(dir)).rejects.toThrow(/Could not use the emulator CA folder .* because its mode is 0777, open to group or others.*--ca-dir/);
  });

  it('a symbolic link is refused', async () => {
    const dir = temp();
    mkdirSync(join(dir, 'real'), { mode: 0o700 });
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    await expect(tlsMaterial(join(dir, 'link'))).rejects.toThrow(/is a symbolic link/);
  });

  it.skipIf(process.getuid?.() !== 0)('a folder owned by another user is refused, and the CA planted there not used', async () => {
    const dir = temp();
    const planted = join(dir, 'ca');
    await tlsMaterial(planted);
    chownSync(planted, 65534, 65534);
    await expect(tlsMaterial(planted)).rejects.toThrow(/belongs to user id 65534, not to you/);
  });
});
