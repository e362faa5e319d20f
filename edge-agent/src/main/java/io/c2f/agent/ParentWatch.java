package io.c2f.agent;

/**
 * For an agent started as a child process (the demo, the end-to-end tests): it stops, through its
 * shutdown hooks, when the process that started it ends, however that ended, so a killed parent
 * leaves no agents behind.
 */
final class ParentWatch {
    private ParentWatch() {
    }

    /** Exits this JVM once its parent process ends; does nothing when there is no parent to watch. */
    static void exitWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("c2f-agent: parent process " + parent.pid() + " ended; stopping");
            System.exit(0);
        }));
    }
}
