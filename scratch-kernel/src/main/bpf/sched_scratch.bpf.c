// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * taskscratch: the real writer of the docs/design.md §3 region ABI.
 *
 * A tp_btf/sched_switch program finds prev's and next's element in a
 * BPF_MAP_TYPE_TASK_STORAGE map whose value is { struct sched_scratch __uptr *udata; }
 * (user memory, Linux 6.13+): user space registered a pointer to a region of a pinned slab
 * with BPF_MAP_UPDATE_ELEM(key = pidfd); the kernel pinned the page, so these plain stores
 * never fault. The program never allocates storage (flags 0): unregistered tasks cost one
 * failed lookup.
 *
 * Each update is a seqcount write: seq odd, fields, seq even. The switch of one task is
 * serialised by the scheduler (a task is switched in on one CPU only after it was switched
 * out on another), so there is one writer per region. Compiler barriers keep the store order;
 * on x86-64 (TSO) that is the order other CPUs see. Readers (Java) retry on odd/changed seq.
 *
 * Exit: a task's very last switch-out has prev_state == TASK_DEAD (do_task_dead() ->
 * __schedule(), which never returns); after it the task is never switched in or out again.
 * That update also stores cpu = SCHED_SCRATCH_CPU_EXITED, inside the same seqcount write. Once
 * user space has read it under an even, unchanged seq, no store of this program to the region
 * is still to come, and after a kernel RCU grace period (the program runs with preemption
 * disabled) no invocation is even still running: the region may be reused, although the dead
 * task's storage element, and its pin of the page, live on until the task_struct is freed.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* bookworm's libbpf-dev 1.1 headers predate __uptr (libbpf 1.6): the kernel recognises the
 * BTF type tag "uptr" on the pointer. */
#ifndef __uptr
#define __uptr __attribute__((btf_type_tag("uptr")))
#endif

struct task_struct;

/* include/linux/sched.h: the state of a task in its final schedule() (do_task_dead). */
#define TASK_DEAD 0x00000080
/* RegionAbi.CPU_EXITED: "cpu" after the final switch-out of an exited task. */
#define SCHED_SCRATCH_CPU_EXITED 0xffffffffu

/* docs/design.md §3, 40-byte header; user keys follow and are not touched here. */
struct sched_scratch {
	__u32 seq;
	__u32 abi_version;
	__u32 on_cpu;
	__u32 cpu;
	__u64 switches;
	__u64 last_switch_ns;
	__u32 migrations;
	__u32 preemptions;
};

/* Without a direct reference clang emits only a FWD for the pointee, which the kernel refuses
 * as a uptr target (EINVAL); the kernel selftests use the same global-pointer trick. */
struct sched_scratch *sched_scratch_btf_anchor;

struct scratch_value {
	struct sched_scratch __uptr *udata;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct scratch_value);
} sched_scratch_map SEC(".maps");

#define barrier() asm volatile("" ::: "memory")

/* The registered region of a task, or NULL (not registered, or the lookup failed). */
static __always_inline struct sched_scratch *region_of(struct task_struct *task)
{
	struct scratch_value *v = bpf_task_storage_get(&sched_scratch_map, task, 0, 0);

	return v ? v->udata : 0;
}

static __always_inline void switch_out(struct task_struct *prev, __u64 now, int involuntary, int dead)
{
	struct sched_scratch *r = region_of(prev);

	if (!r)
		return;
	r->seq++;
	barrier();
	r->on_cpu = 0;
	r->switches++;
	r->last_switch_ns = now;
	if (involuntary)
		r->preemptions++;
	if (dead)
		r->cpu = SCHED_SCRATCH_CPU_EXITED;
	barrier();
	r->seq++;
}

static __always_inline void switch_in(struct task_struct *next, __u64 now, __u32 cpu)
{
	struct sched_scratch *r = region_of(next);

	if (!r)
		return;
	r->seq++;
	barrier();
	if (r->cpu != cpu)
		r->migrations++;
	r->on_cpu = 1;
	r->cpu = cpu;
	r->switches++;
	r->last_switch_ns = now;
	barrier();
	r->seq++;
}

/*
 * TP_PROTO(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
 * "Involuntary" follows the kernel's nivcsw: preempted, or switched out while still runnable
 * (prev_state == TASK_RUNNING, e.g. sched_yield).
 */
SEC("tp_btf/sched_switch")
int sched_scratch_switch(__u64 *ctx)
{
	int preempt = (int)(ctx[0] & 1);
	struct task_struct *prev = (struct task_struct *)ctx[1];
	struct task_struct *next = (struct task_struct *)ctx[2];
	unsigned int prev_state = (unsigned int)ctx[3];
	__u64 now = bpf_ktime_get_ns();
	__u32 cpu = bpf_get_smp_processor_id();

	switch_out(prev, now, preempt || prev_state == 0, prev_state == TASK_DEAD);
	switch_in(next, now, cpu);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
