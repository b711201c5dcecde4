import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ConnectorError } from '../../core/errors.ts';

/**
 * Refuses hosts that resolve to addresses a pipeline should not reach by
 * accident or by a crafted URL (server-side request forgery): link-local
 * addresses, cloud metadata endpoints among them, are always refused; loopback
 * and private ranges only when the connection does not say `allow_private`.
 * Every address the name resolves to is checked, not only the first.
 */
export type AddressCheck = (hostname: string, signal: AbortSignal) => Promise<void>;

const linkLocal = new BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4'); // 169.254.169.254 is the metadata service of most clouds
linkLocal.addSubnet('fe80::', 10, 'ipv6');
linkLocal.addAddress('fd00:ec2::254', 'ipv6'); // the metadata service over IPv6
linkLocal.addAddress('100.100.100.200', 'ipv4'); // another cloud's metadata service

const privateRanges = new BlockList();
privateRanges.addSubnet('127.0.0.0', 8, 'ipv4');
privateRanges.addSubnet('0.0.0.0', 8, 'ipv4'); // "this host": connects to loopback
privateRanges.addSubnet('10.0.0.0', 8, 'ipv4');
privateRanges.addSubnet('172.16.0.0', 12, 'ipv4');
privateRanges.addSubnet('192.168.0.0', 16, 'ipv4');
privateRanges.addSubnet('100.64.0.0', 10, 'ipv4'); // carrier-grade NAT, private in practice
privateRanges.addAddress('::1', 'ipv6');
privateRanges.addAddress('::', 'ipv6');
privateRanges.addSubnet('fc00::', 7, 'ipv6');

export type AddressClass = 'public' | 'private' | 'link-local';

/** The class of one IP address; IPv4 written inside IPv6 (::ffff:a.b.c.d) is judged as IPv4. */
export function classifyAddress(address: string): AddressClass {
  const ip = unmapIpv4(address);
  const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
  if (linkLocal.check(ip, family)) return 'link-local';
  if (privateRanges.check(ip, family)) return 'private';
  return 'public';
}

function unmapIpv4(address: string): string {
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/i.exec(address);
  if (!mapped || isIP(address) !== 6) return address;
  const rest = mapped[1]!;
  if (isIP(rest) === 4) return rest;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
  if (!hex) return address;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** An AddressCheck for one connection (its name appears in errors). */
export function createAddressCheck(connection: string, allowPrivate: boolean): AddressCheck {
  return async (hostname, signal) => {
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: string[];
    if (isIP(host)) {
      addresses = [host];
    } else {
      try {
        addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new ConnectorError('rest.dns_failed', `connection '${connection}': cannot resolve host '${host}'${code ? ` (${code})` : ''}`, {
          cause: error,
          retryable: code !== 'ENOTFOUND',
        });
      }
    }
    signal.throwIfAborted();
    for (const address of addresses) {
      const kind = classifyAddress(address);
      if (kind === 'link-local') {
        throw new ConnectorError(
          'rest.address_refused',
          `connection '${connection}': host '${host}' resolves to ${address}, a link-local address (where cloud metadata services answer); requests there are always refused`,
        );
      }
      if (kind === 'private' && !allowPrivate) {
        throw new ConnectorError(
          'rest.address_refused',
          `connection '${connection}': host '${host}' resolves to ${address}, a loopback or private address; set allow_private: true on the connection to reach it`,
        );
      }
    }
  };
}
