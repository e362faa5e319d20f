package io.c2f.controller.broker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the broker counts, readable from any thread, and its rate-limited warnings: a misbehaving
 * or hostile client can repeat a refused action thousands of times a second, so the first 20 of a
 * kind are logged, then every 1000th.
 */
final class BrokerStats {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicLong deniedPublishes = new AtomicLong();
    private final AtomicLong refusedConnects = new AtomicLong();
    private final AtomicLong deniedSubscriptions = new AtomicLong();
    private final AtomicLong droppedMessages = new AtomicLong();

    void connected() {
        connected.incrementAndGet();
    }

    void disconnected() {
        connected.decrementAndGet();
    }

    int connectedClients() {
        return connected.get();
    }

    void refusedConnect(String clientId, String user, String why) {
        long n = refusedConnects.incrementAndGet();
        if (sampled(n)) {
            LOG.warn("broker refused connection #{} of client '{}' (user '{}'): {}", n, TopicSyntax.forLog(clientId),
                    TopicSyntax.forLog(user), why);
        }
    }

    void deniedPublish(Identity who, String topic, String why) {
        long n = deniedPublishes.incrementAndGet();
        if (sampled(n)) {
            LOG.warn("broker dropped publish #{} of client '{}' (user '{}') on '{}': {}", n,
                    TopicSyntax.forLog(who.clientId()), TopicSyntax.forLog(who.user()), TopicSyntax.forLog(topic), why);
        }
    }

    void deniedSubscription(Identity who, String filter) {
        long n = deniedSubscriptions.incrementAndGet();
        if (sampled(n)) {
            LOG.warn("broker refused subscription #{} of client '{}' (user '{}') to '{}'", n,
                    TopicSyntax.forLog(who.clientId()), TopicSyntax.forLog(who.user()), TopicSyntax.forLog(filter));
        }
    }

    void queueOverflow(String clientId, int limit) {
        long n = droppedMessages.incrementAndGet();
        if (sampled(n)) {
            LOG.warn("broker dropped message #{} for client '{}': its session queue is full ({} messages)", n,
                    TopicSyntax.forLog(clientId), limit);
        }
    }

    long deniedPublishes() {
        return deniedPublishes.get();
    }

    long refusedConnects() {
        return refusedConnects.get();
    }

    long droppedMessages() {
        return droppedMessages.get();
    }

    private static boolean sampled(long n) {
        return n <= 20 || n % 1000 == 0;
    }
}
