/**
 * Object lifetime for readers that take no locks: RCU-style grace periods in two flavors
 * ({@link io.taskscratch.rcu.Rcu}, {@link io.taskscratch.rcu.Flavor}).
 *
 * <p>See {@code docs/lifetime.md} for a guide.
 */
package io.taskscratch.rcu;
