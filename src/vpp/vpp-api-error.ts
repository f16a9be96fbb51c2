// A non-zero retval from VPP, translated at the boundary into its name and number,
// e.g. "lb_add_del_vip_v2: VALUE_EXIST (-81)". Callers branch on `retval`.

import { DaemonError } from '../shared/errors.js';

export const retvalNames: Readonly<Record<number, string>> = {
  0: 'OK',
  [-1]: 'UNSPECIFIED',
  [-3]: 'NO_SUCH_FIB',
  [-6]: 'NO_SUCH_ENTRY',
  [-7]: 'INVALID_VALUE',
  [-70]: 'INVALID_MEMORY_SIZE',
  [-73]: 'INVALID_ARGUMENT',
  [-81]: 'VALUE_EXIST',
  [-97]: 'INVALID_ADDRESS_FAMILY',
};

export function retvalName(retval: number): string {
  return retvalNames[retval] ?? 'UNKNOWN';
}

export class VppApiError extends DaemonError {
  readonly retval: number;
  readonly msgName: string;

  constructor(msgName: string, retval: number) {
    super('VPP_RETVAL', `${msgName}: ${retvalName(retval)} (${retval})`);
    this.name = 'VppApiError';
    this.retval = retval;
    this.msgName = msgName;
  }
}
