// SEC() name classification: libbpf's matching rules (exact, "x+" = exact or "x/...", first match wins).
import { describe, expect, it } from 'vitest';
import { classifySection, SEC_DEFS } from './sec-defs';

const row = (name: string) => {
  const k = classifySection(name);
  return [k.type.name, k.attachType?.name ?? '-', k.attachTo ?? '-', k.flags.sleepable, k.flags.attachBtf];
};

describe('engine/obj: SEC() names', () => {
  it('classifies the common conventions', () => {
    expect(row('kprobe/tcp_v4_connect')).toEqual(['kprobe', '-', 'tcp_v4_connect', false, false]);
    expect(row('kprobe')).toEqual(['kprobe', '-', '-', false, false]);
    expect(row('uprobe.s//bin/bash:readline')).toEqual(['kprobe', '-', '/bin/bash:readline', true, false]);
    expect(row('kprobe.multi/tcp_*')).toEqual(['kprobe', 'trace_kprobe_multi', 'tcp_*', false, false]);
    expect(row('tp/sched/sched_switch')).toEqual(['tracepoint', '-', 'sched/sched_switch', false, false]);
    expect(row('raw_tracepoint/sched_switch')).toEqual(['raw_tracepoint', '-', 'sched_switch', false, false]);
    expect(row('raw_tp.w/bpf_test_finish')).toEqual(['raw_tracepoint_writable', '-', 'bpf_test_finish', false, false]);
    expect(row('tp_btf/sched_switch')).toEqual(['tracing', 'trace_raw_tp', 'sched_switch', false, true]);
    expect(row('fentry.s/do_sys_open')).toEqual(['tracing', 'trace_fentry', 'do_sys_open', true, true]);
    expect(row('lsm/file_open')).toEqual(['lsm', 'lsm_mac', 'file_open', false, true]);
    expect(row('lsm.s/bprm_committed_creds')).toEqual(['lsm', 'lsm_mac', 'bprm_committed_creds', true, true]);
    expect(row('iter/task')).toEqual(['tracing', 'trace_iter', 'task', false, true]);
    expect(row('freplace/handle_kprobe')).toEqual(['ext', '-', 'handle_kprobe', false, true]);
    expect(row('classifier')).toEqual(['sched_cls', '-', '-', false, false]);
    expect(row('tc/ingress')).toEqual(['sched_cls', 'tcx_ingress', '-', false, false]);
    expect(row('xdp.frags')).toEqual(['xdp', 'xdp', '-', false, false]);
    expect(row('xdp/devmap')).toEqual(['xdp', 'xdp_devmap', '-', false, false]);
    expect(row('cgroup_skb/egress')).toEqual(['cgroup_skb', 'cgroup_inet_egress', '-', false, false]);
    expect(row('cgroup/connect4')).toEqual(['cgroup_sock_addr', 'cgroup_inet4_connect', '-', false, false]);
    expect(row('sk_reuseport/migrate')).toEqual(['sk_reuseport', 'sk_reuseport_select_or_migrate', '-', false, false]);
    expect(row('perf_event')).toEqual(['perf_event', '-', '-', false, false]);
    expect(row('struct_ops/bpf_cubic_init')).toEqual(['struct_ops', '-', 'bpf_cubic_init', false, false]);
    expect(row('syscall')).toEqual(['syscall', '-', '-', true, false]);
  });

  it('does not match prefixes without a slash, or exact names with a suffix', () => {
    expect(row('kprobex/foo')[0]).toBe('unspec');
    expect(row('xdp_foo')[0]).toBe('unspec');
    expect(row('socket/extra')[0]).toBe('unspec');
    expect(row('.text')[0]).toBe('unspec');
    expect(classifySection('').def).toBeUndefined();
  });

  it('has one entry per libbpf pattern, every program type and attach type known to the kernel tables', () => {
    expect(new Set(SEC_DEFS.map((d) => d.pattern)).size).toBe(SEC_DEFS.length);
    for (const d of SEC_DEFS) {
      const k = classifySection(d.pattern.replace(/\+$/, ''));
      expect(k.type.name).not.toMatch(/unknown|unspec/);
      if (d.attachType) expect(k.attachType?.name).toBe(d.attachType);
    }
  });
});
