package io.taskscratch.kernel;

import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.mutex.RegionOwnerStateSource;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.ScratchRegion;

/**
 * The adaptive mutex's owner state on the native platform from regions the real kernel writes
 * ({@link KernelBackend}): an explicit opt-in, since a mutex's default source
 * ({@code OwnerStateSource.none()}) loads nothing. {@link #shared()} opens one backend for the
 * process, on the first contended acquisition of a mutex that uses it, and registers threads by
 * itself; {@link #of(KernelBackend)} reads a backend the application manages, whose owners must be
 * platform threads that called {@link KernelBackend#register()}. Any other owner — an unregistered
 * thread, or a virtual thread, whose carrier's state the kernel would report — reads UNKNOWN, so
 * the mutex falls back to time-bounded spinning. {@code on_cpu = 0} is a hint (the tracepoint can
 * miss a switch); the mutex bounds its spinning by time either way.
 *
 * <pre>{@code
 * AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance())
 *         .stateSource(KernelOwnerState.shared())   // loads the BPF program when first contended
 *         .build();
 * }</pre>
 */
public final class KernelOwnerState {
    /** {@code shouldYield} says yes once the spinner's own region says it has run this long since its switch-in. */
    public static final long DEFAULT_SLICE_NS = 3_000_000L;

    private KernelOwnerState() {
    }

    /**
     * The process-wide shared source: on the first contended acquisition of a mutex that uses it,
     * it opens one shared backend in the background if the kernel allows it (until then, and for
     * good if not, it behaves as {@link OwnerStateSource#none()} and its name says why), then
     * registers each platform thread on its first slow-path acquisition. Nothing is loaded before
     * a mutex built with this source is contended (or {@link SharedKernelState#availability()} is asked).
     *
     * @return the shared instance
     */
    public static SharedKernelState shared() {
        return SharedKernelState.INSTANCE;
    }

    /**
     * A source reading {@code backend}'s regions, named {@code kernel}.
     *
     * @param backend the attached program
     * @return the source
     */
    public static RegionOwnerStateSource of(KernelBackend backend) {
        return new RegionOwnerStateSource("kernel", Rcu.global(), t -> regionOf(backend, t), System::nanoTime, DEFAULT_SLICE_NS);
    }

    /**
     * The kernel source when {@code backend} is present, else {@link OwnerStateSource#none()}: what
     * the native platform uses "when available" ({@link KernelBackend#availability()} says why not).
     *
     * @param backend an open backend, or null
     * @return a source (never null)
     */
    public static OwnerStateSource orNone(KernelBackend backend) {
        return backend == null ? OwnerStateSource.none() : of(backend);
    }

    private static ScratchRegion regionOf(KernelBackend backend, PlatformTask task) {
        if (!(task instanceof NativePlatform.ThreadTask tt) || tt.thread().isVirtual()) {
            return null;
        }
        KernelRegistration r = backend.registration(tt.thread());
        return r == null ? null : r.region();
    }
}
