package io.taskscratch.kernel;

/**
 * Whether the real kernel backend can run here, and if not, exactly why (kernel too old, no
 * BTF, no libbpf, no BPF object in the jar, missing privileges, ...).
 *
 * @param available whether {@link KernelBackend#open()} is expected to succeed
 * @param reason    "available" or the first reason it is not, with what to install or grant
 */
public record KernelAvailability(boolean available, String reason) {
    static KernelAvailability yes() {
        return new KernelAvailability(true, "available");
    }

    static KernelAvailability no(String reason) {
        return new KernelAvailability(false, reason);
    }
}
