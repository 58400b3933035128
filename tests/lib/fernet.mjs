// Fernet (the spec Python's cryptography.fernet implements) for tests: decrypt a token the edge
// stored to prove it holds the plain key, encrypt one to seed a provider through the SQL door.
// key: 32 bytes, url-safe base64; the first 16 sign (HMAC-SHA256), the last 16 encrypt (AES-128-CBC).
// token: base64url(0x80 | timestamp (8, big-endian seconds) | IV (16) | ciphertext | HMAC (32)).
import crypto from 'node:crypto';

const b64 = (s) => Buffer.from(String(s).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

function splitKey(key) {
  const k = b64(key);
  if (k.length !== 32) throw new Error(`Fernet key must be 32 bytes, got ${k.length}`);
  return { signing: k.subarray(0, 16), encryption: k.subarray(16) };
}

/** Encrypts text (utf-8) into a Fernet token. */
export function fernetEncrypt(text, key, { iv = crypto.randomBytes(16), time = Math.floor(Date.now() / 1000) } = {}) {
  const { signing, encryption } = splitKey(key);
  const cipher = crypto.createCipheriv('aes-128-cbc', encryption, iv);
  const ct = Buffer.concat([cipher.update(Buffer.from(text, 'utf8')), cipher.final()]);
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(time));
  const body = Buffer.concat([Buffer.from([0x80]), ts, iv, ct]);
  const mac = crypto.createHmac('sha256', signing).update(body).digest();
  return b64url(Buffer.concat([body, mac]));
}

/** Decrypts a Fernet token; throws on a bad version, signature or padding. Returns { text, time }. */
export function fernetDecrypt(token, key) {
  const { signing, encryption } = splitKey(key);
  const raw = b64(token);
  if (raw.length < 1 + 8 + 16 + 16 + 32 || raw[0] !== 0x80) throw new Error('not a Fernet token');
  const body = raw.subarray(0, raw.length - 32);
  const mac = raw.subarray(raw.length - 32);
  const want = crypto.createHmac('sha256', signing).update(body).digest();
  if (!crypto.timingSafeEqual(mac, want)) throw new Error('Fernet signature mismatch');
  const time = Number(body.readBigUInt64BE(1));
  const iv = body.subarray(9, 25);
  const decipher = crypto.createDecipheriv('aes-128-cbc', encryption, iv);
  const text = Buffer.concat([decipher.update(body.subarray(25)), decipher.final()]).toString('utf8');
  return { text, time };
}
