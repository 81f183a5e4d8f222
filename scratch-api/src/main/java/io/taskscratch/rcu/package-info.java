/**
 * Object lifetime for readers that take no locks: RCU-style grace periods in two flavors
 * ({@link io.taskscratch.rcu.Rcu}, {@link io.taskscratch.rcu.Flavor}), published pointers
 * ({@link io.taskscratch.rcu.RcuPointer}), deferred freeing that
 * picks the cheapest sufficient grace period ({@link io.taskscratch.rcu.GraceTracker}) and
 * refcounted objects with a single destroyer ({@link io.taskscratch.rcu.RefCounted},
 * {@link io.taskscratch.rcu.RefRegistry}).
 *
 * <p>See {@code docs/lifetime.md} for a guide.
 */
package io.taskscratch.rcu;
