package io.taskscratch.kernel;

import io.taskscratch.ScratchException;
import io.taskscratch.mutex.OwnerState;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.mutex.RegionOwnerStateSource;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.region.ScratchRegion;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The process-wide, shared kernel owner-state source ({@link KernelOwnerState#shared()}), an
 * opt-in of the application for an {@code AdaptiveMutex} on {@link NativePlatform}: lock owners'
 * scheduling state comes from regions the real kernel writes ({@link KernelBackend}) whenever the
 * backend can run here, with no other set-up by the application.
 *
 * <p>What happens when: nothing at class initialisation, when a mutex is built with it, or on a
 * mutex's fast path. The first contended acquisition of a mutex using it (the first
 * {@link #prepare} call) starts the probe on a daemon thread and goes on as if the source were
 * {@code none}: the probe opens <em>one</em> shared {@link KernelBackend} for the process (load and
 * attach the BPF program) and registers and unregisters itself once (so the first lock thread's
 * registration does not pay for class loading and FFM linking), or records why it cannot. Cold, that
 * takes a good fraction of a second (docs/scratch-kernel.md has the measurements): far too long to
 * keep a lock waiter, maybe in a timed {@code tryLock}, waiting. From then on, each slow-path
 * acquisition by a platform thread that is not yet registered registers it
 * ({@link KernelBackend#register()}); later ones only check that it is registered. Virtual threads
 * are never registered (the kernel would report their carrier): their owners read UNKNOWN. A
 * registration ends with its thread (the task exit hook); the backend stays open for the life of
 * the JVM, and the kernel detaches the program when the process exits.
 *
 * <p>Unavailable (not Linux ≥ 6.13, no BPF object, no privileges, ...): the source then behaves exactly like {@link OwnerStateSource#none()} (UNKNOWN, never
 * yields, not {@link #informative()}), its {@link #name()} says why (the exact
 * {@link KernelAvailability#reason()}), and the probe is never repeated.
 *
 * <p>Implementation overview. {@code state} goes {@code null} (not probed) → {@code PROBING} →
 * a {@link Probed} (final fields, immutable), and never changes again. {@link #prepare} reads it with
 * an acquire load; the one caller whose CAS {@code null → PROBING} succeeds starts the probe thread,
 * everyone (that caller included) meanwhile sees no {@code Probed} and behaves like {@code none}.
 * The probe thread publishes the outcome with a release store, which pairs with the acquire loads:
 * a reader that sees the {@code Probed} sees the opened backend completely. The CAS makes the probe
 * race-free (exactly one) and, after it, the cost is one load that is plain on x86 plus a type check:
 * no lock. (A holder class would be as race-free and cheaper still to read, but its initialisation
 * would run the probe inside a lock acquisition and block every other contender in class
 * initialisation until it ends.) Explicit calls that need the answer ({@link #availability()},
 * {@link #registerCurrentThread()}) wait for the probe on this object's monitor; the probe thread
 * notifies after its release store, so no wake-up is lost.
 */
public final class SharedKernelState implements OwnerStateSource {
    private static final Object PROBING = new Object();
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SharedKernelState.class, "state", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The shared instance; constructing it does no work. */
    static final SharedKernelState INSTANCE = new SharedKernelState();

    /** null, {@link #PROBING} or a {@link Probed}; accessed through {@link #STATE}. */
    @SuppressWarnings("unused")
    private volatile Object state;

    /** A refused registration's reason, so a thread is not retried on every slow path. */
    private final ThreadLocal<String> refused = new ThreadLocal<>();

    /**
     * The outcome of the one probe.
     *
     * @param backend the shared backend, or null if unavailable
     * @param reader  reads the backend's regions, or null if unavailable
     * @param reason  why it is unavailable, or "available"
     */
    private record Probed(KernelBackend backend, RegionOwnerStateSource reader, String reason) {
        static Probed unavailable(String reason) {
            return new Probed(null, null, reason);
        }
    }

    /** A source with its own probe (for tests); the process normally uses the shared {@link #INSTANCE}. */
    SharedKernelState() {
    }

    /**
     * Registers the calling platform thread on its first slow-path acquisition once the probe has
     * found the kernel usable (the first call in the process starts the probe in the background).
     * Cheap when it is registered already: a load, two type checks and a map lookup. Never throws: a
     * refused registration is remembered for the thread, which then reads UNKNOWN like any
     * unregistered owner.
     */
    @Override
    public void prepare(PlatformTask self) {
        Probed p = probed();
        if (p == null || p.backend == null || !(self instanceof NativePlatform.ThreadTask tt)) {
            return;
        }
        Thread t = tt.thread();
        if (t != Thread.currentThread() || t.isVirtual() || p.backend.registration(t) != null) {
            return;
        }
        register(p.backend);
    }

    @Override
    public OwnerState ownerState(PlatformTask owner) {
        Probed p = current();
        return p == null || p.reader == null ? OwnerState.UNKNOWN : p.reader.ownerState(owner);
    }

    @Override
    public ScratchRegion regionOf(PlatformTask task) {
        Probed p = current();
        return p == null || p.reader == null ? null : p.reader.regionOf(task);
    }

    @Override
    public boolean shouldYield(PlatformTask self) {
        Probed p = current();
        return p != null && p.reader != null && p.reader.shouldYield(self);
    }

    /** Token 1: the reader's section was entered, so {@link #exitRead} leaves it even if the probe finished in between. */
    @Override
    public long enterRead() {
        Probed p = current();
        if (p == null || p.reader == null) {
            return 0L;
        }
        p.reader.enterRead();
        return 1L;
    }

    @Override
    public void exitRead(long token) {
        if (token == 1L) {
            current().reader.exitRead(0L); // token 1: the state is a Probed with a reader, forever
        }
    }

    /** {@code kernel} when available; before the first contended acquisition {@code kernel (not probed yet)}; else {@code none (kernel state unavailable: <reason>)}. */
    @Override
    public String name() {
        Object s = STATE.getAcquire(this);
        if (s instanceof Probed p) {
            return p.backend != null ? "kernel" : "none (kernel state unavailable: " + p.reason + ")";
        }
        return s == null ? "kernel (not probed yet)" : "kernel (probing)";
    }

    /** False once the probe found the backend unavailable; true before the probe and when available. */
    @Override
    public boolean informative() {
        return !(STATE.getAcquire(this) instanceof Probed p) || p.backend != null;
    }

    /**
     * Whether the kernel state is used, and if not why: starts the probe if no contended
     * acquisition has yet, and waits for it to finish.
     *
     * @return available, or the exact reason it is not
     */
    public KernelAvailability availability() {
        Probed p = awaitProbed();
        return new KernelAvailability(p.backend != null, p.reason);
    }

    /**
     * The calling thread's registration in the shared backend, registering it now if it has none
     * (what the first slow-path acquisition does anyway). Do not close it: thread exit does.
     *
     * @return the registration, or null if the backend is unavailable, the thread is virtual, or
     *         its registration was refused ({@link #name()} and {@link #availability()} say why)
     */
    public KernelRegistration registerCurrentThread() {
        Probed p = awaitProbed();
        Thread t = Thread.currentThread();
        if (p.backend == null || t.isVirtual()) {
            return null;
        }
        KernelRegistration r = p.backend.registration(t);
        return r != null ? r : register(p.backend);
    }

    /**
     * The registration of {@code thread} in the shared backend, without registering it.
     *
     * @param thread any thread
     * @return its registration, or null (not registered yet, virtual, refused, or unavailable)
     */
    public KernelRegistration registration(Thread thread) {
        Probed p = current();
        return p == null || p.backend == null ? null : p.backend.registration(thread);
    }

    private KernelRegistration register(KernelBackend backend) {
        if (refused.get() != null) {
            return null;
        }
        try {
            return backend.register();
        } catch (ScratchException e) {
            refused.set(e.getMessage()); // e.g. ENOMEM from RLIMIT_MEMLOCK: tried once per thread
            return null;
        }
    }

    /** The probe's outcome, or null before it (the spin loop's reads never start a probe). */
    private Probed current() {
        return STATE.getAcquire(this) instanceof Probed p ? p : null;
    }

    /** The probe's outcome; null before it is known (the first caller starts the probe). */
    private Probed probed() {
        Object s = STATE.getAcquire(this);
        if (s instanceof Probed p) {
            return p;
        }
        // Plain check first: while the probe runs, contenders do not hammer the line with CASes.
        if (s == null && STATE.compareAndSet(this, null, PROBING)) {
            startProbe();
        }
        return null;
    }

    private Probed awaitProbed() {
        Probed p = probed();
        if (p != null) {
            return p;
        }
        boolean interrupted = false;
        synchronized (this) {
            while (!(STATE.getAcquire(this) instanceof Probed)) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the probe is finite: finish waiting, keep the status
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return current();
    }

    private void startProbe() {
        try {
            Thread.ofPlatform().daemon().name("taskscratch-kernel-state-probe").start(this::probe);
        } catch (RuntimeException | OutOfMemoryError e) { // no thread for it: never leave PROBING behind
            publish(Probed.unavailable("could not start the kernel state probe thread: " + e));
        }
    }

    /** The probe thread's body; always publishes an outcome, even if it throws. */
    private void probe() {
        Probed p = Probed.unavailable("the kernel state probe did not complete");
        try {
            p = open();
        } catch (RuntimeException | LinkageError e) {
            // e.g. IllegalCallerException (inside an ExceptionInInitializerError) under --illegal-native-access=deny
            Throwable cause = e.getCause();
            p = Probed.unavailable("the kernel state probe failed: " + e + (cause != null ? ", caused by " + cause : ""));
        } finally {
            publish(p);
        }
    }

    private void publish(Probed p) {
        STATE.setRelease(this, p);
        synchronized (this) {
            notifyAll();
        }
    }

    private static Probed open() {
        KernelBackend backend;
        try {
            backend = KernelBackend.open(); // no separate probe load when it works
        } catch (ScratchException e) {
            KernelAvailability a = KernelBackend.availability(); // failures are cheap: the exact, cached reason
            return Probed.unavailable(a.available() ? e.getMessage() : a.reason());
        }
        try {
            backend.register().close(); // warms class loading and FFM linking for the first lock thread
        } catch (ScratchException e) {
            // Nothing to do here: each thread's own registration will meet (and remember) the same refusal.
        }
        return new Probed(backend, KernelOwnerState.of(backend), "available");
    }

    @Override
    public String toString() {
        return "SharedKernelState[" + name() + "]";
    }
}
