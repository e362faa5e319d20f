package io.c2f.controller.api;

/** Text made safe for HTML, for the pages the controller renders on the server. */
public final class Html {
    private Html() {
    }

    /** Escapes the five characters that could open markup or leave an attribute value. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
