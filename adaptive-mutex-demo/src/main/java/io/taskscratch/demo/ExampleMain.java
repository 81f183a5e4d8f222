package io.taskscratch.demo;

/** Placeholder example entry point. */
public final class ExampleMain {
    private ExampleMain() {
    }

    /** Prints the runtime version. */
    public static void main(String[] args) {
        System.out.println("taskscratch on Java " + Runtime.version());
    }
}
