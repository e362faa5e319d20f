package io.c2f.controller.broker;

/**
 * MQTT 3.1.1 topic names and filters (section 4.7): what a PUBLISH may name, what a SUBSCRIBE
 * may ask for, and whether a filter matches a name.
 */
final class TopicSyntax {
    private static final int LOG_LIMIT = 200;

    private TopicSyntax() {
    }

    /** A topic name a PUBLISH (or a will) may carry: not empty, no wildcard, no NUL. */
    static boolean isValidName(String topic) {
        return topic != null && !topic.isEmpty() && topic.indexOf('+') < 0 && topic.indexOf('#') < 0
                && topic.indexOf('\u0000') < 0;
    }

    /** A filter: '#' only as the whole last level, '+' only as a whole level. */
    static boolean isValidFilter(String filter) {
        if (filter == null || filter.isEmpty() || filter.indexOf('\u0000') >= 0) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return false;
            }
            if (level.contains("+") && !level.equals("+")) {
                return false;
            }
        }
        return true;
    }

    /** Whether a valid filter matches a valid topic name; wildcards never match a leading '$' level. */
    static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** A client-chosen string made safe for one log line: no control characters, bounded length. */
    static String forLog(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), LOG_LIMIT) + 3);
        for (int i = 0; i < s.length() && i < LOG_LIMIT; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > LOG_LIMIT ? b.append("...").toString() : b.toString();
    }
}
