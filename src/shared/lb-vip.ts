// The lb plugin's vocabulary for a VIP, shared by the pure desired state (src/core) and the VPP
// client (src/vpp), which meet in the sync: the VIP key, its encapsulation, and the global
// lb_conf.

export type Encap = 'gre4' | 'gre6' | 'l3dsr' | 'nat4' | 'nat6';

/** A VIP key as VPP sees it. prefix is canonical CIDR ("192.0.2.1/32", "2001:db8::1/128"). */
export interface VipKey {
  readonly prefix: string;
  /** 6, 17, or 255 for all-port VIPs. */
  readonly protocol: number;
  /** 0 for all-port VIPs. */
  readonly port: number;
}

export interface LbConf {
  readonly ip4SrcAddress: string;
  readonly ip6SrcAddress: string;
  readonly stickyBucketsPerCore: number;
  readonly flowTimeoutS: number;
}
