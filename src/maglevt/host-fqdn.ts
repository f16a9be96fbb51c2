// The host name in maglevt's title bar, as `hostname -f` prints it. Node has no
// AI_CANONNAME lookup, so: a dotted os.hostname() is taken as is; otherwise the name is resolved
// (getaddrinfo: /etc/hosts, then DNS) and the address mapped back (getnameinfo), and the answer is
// used when it extends the short name. Anything slow or failing falls back to the short name.

import { lookup, lookupService } from 'node:dns/promises';
import { hostname } from 'node:os';

export async function hostFqdn(timeoutMs = 500): Promise<string> {
  const name = hostname();
  if (name.includes('.')) return name;
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const resolveName = async (): Promise<string | undefined> => {
    const { address } = await lookup(name);
    return (await lookupService(address, 0)).hostname;
  };
  try {
    const found = await Promise.race([resolveName(), giveUp]);
    return found !== undefined && found.startsWith(`${name}.`) ? found : name;
  } catch {
    return name;
  } finally {
    clearTimeout(timer);
  }
}
