package io.c2f.controller.log;

import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One log line per domain event, in logfmt: {@code event=rollout.wave.started rollout=r-1 wave=0
 * devices=3}. The same pairs go to SLF4J as key-value pairs, so the JSON layout (logback.xml,
 * {@code C2F_LOG_FORMAT=JSON}) carries them as fields. Device and job ids are keys {@code device}
 * and {@code job} wherever an event has them; values are quoted only when they need it.
 * (Key-value pairs per line rather than MDC: Vert.x callbacks hop threads, a thread-local would not follow.)
 */
public final class EventLog {
    private EventLog() {
    }

    public static void info(Logger log, String event, Object... keyValues) {
        emit(log, Level.INFO, event, keyValues);
    }

    public static void warn(Logger log, String event, Object... keyValues) {
        emit(log, Level.WARN, event, keyValues);
    }

    private static void emit(Logger log, Level level, String event, Object... kv) {
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("key-value pairs expected, got " + kv.length + " values for " + event);
        }
        LoggingEventBuilder b = log.atLevel(level).addKeyValue("event", event);
        StringBuilder line = new StringBuilder("event=").append(event);
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                continue;
            }
            String key = String.valueOf(kv[i]);
            b = b.addKeyValue(key, kv[i + 1]);
            line.append(' ').append(key).append('=').append(value(kv[i + 1]));
        }
        b.log(line.toString());
    }

    /** The characters a quoted logfmt value escapes, and their escapes, position by position. */
    private static final String ESCAPED = "\"\\\n\r\t";
    private static final String[] ESCAPES = {"\\\"", "\\\\", "\\n", "\\r", "\\t"};

    /** A logfmt value: bare when it has no space, quote, equals sign or control character; quoted otherwise. */
    static String value(Object v) {
        String s = String.valueOf(v);
        boolean bare = !s.isEmpty();
        for (int i = 0; i < s.length() && bare; i++) {
            char c = s.charAt(i);
            bare = c > ' ' && c != '"' && c != '=' && c != '\\';
        }
        if (bare) {
            return s;
        }
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            int special = ESCAPED.indexOf(c);
            if (special >= 0) {
                q.append(ESCAPES[special]);
            } else {
                q.append(c < ' ' ? ' ' : c); // other control characters would break the line format
            }
        }
        return q.append('"').toString();
    }
}
