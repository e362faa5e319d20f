package io.c2f.agent.core;

import java.util.concurrent.ThreadFactory;

/** Threads of the agent's workers: daemons, so a stuck job or timer never keeps the JVM alive. */
final class Daemons {
    private Daemons() {
    }

    static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
