package io.c2f.controller.broker;

import java.util.HashMap;
import java.util.Map;

/**
 * Who subscribed to what, as a trie of topic levels, so routing a message walks its topic's levels
 * (plus the '+' and '#' branches) instead of testing every session's filters: a fleet of 10,000
 * devices has some 70,000 subscriptions. Not thread-safe: the broker uses it from its one context.
 *
 * @param <S> the subscriber (a session; anything with identity semantics in tests)
 */
final class SubscriptionIndex<S> {
    private final Node<S> root = new Node<>();

    private static final class Node<S> {
        final Map<String, Node<S>> children = new HashMap<>();
        final Map<S, Integer> subscribers = new HashMap<>();

        boolean isEmpty() {
            return children.isEmpty() && subscribers.isEmpty();
        }
    }

    /** Adds or replaces the subscriber's subscription to a valid filter. */
    void add(String filter, S subscriber, int qos) {
        Node<S> n = root;
        for (String level : filter.split("/", -1)) {
            n = n.children.computeIfAbsent(level, l -> new Node<>());
        }
        n.subscribers.put(subscriber, qos);
    }

    /** Removes one subscription; branches left empty are pruned. */
    void remove(String filter, S subscriber) {
        remove(root, filter.split("/", -1), 0, subscriber);
    }

    private boolean remove(Node<S> n, String[] levels, int i, S subscriber) {
        if (i == levels.length) {
            n.subscribers.remove(subscriber);
        } else {
            Node<S> child = n.children.get(levels[i]);
            if (child != null && remove(child, levels, i + 1, subscriber)) {
                n.children.remove(levels[i]);
            }
        }
        return n.isEmpty();
    }

    /** Every subscriber whose filters match the topic name, with the highest QoS it was granted among them. */
    Map<S, Integer> match(String topic) {
        Map<S, Integer> out = new HashMap<>();
        collect(root, topic.split("/", -1), 0, topic.startsWith("$"), out);
        return out;
    }

    private void collect(Node<S> n, String[] levels, int i, boolean system, Map<S, Integer> out) {
        boolean wildcardsAllowed = !(i == 0 && system); // '$' topics are not matched by a leading wildcard
        Node<S> all = n.children.get("#");
        if (all != null && wildcardsAllowed) {
            merge(all.subscribers, out); // "a/#" matches "a" as well as "a/b/c"
        }
        if (i == levels.length) {
            merge(n.subscribers, out);
            return;
        }
        Node<S> exact = n.children.get(levels[i]);
        if (exact != null) {
            collect(exact, levels, i + 1, system, out);
        }
        Node<S> one = n.children.get("+");
        if (one != null && wildcardsAllowed) {
            collect(one, levels, i + 1, system, out);
        }
    }

    private static <S> void merge(Map<S, Integer> from, Map<S, Integer> into) {
        from.forEach((s, q) -> into.merge(s, q, Math::max));
    }

    boolean isEmpty() {
        return root.isEmpty();
    }
}
