package io.c2f.controller.model;

import static io.c2f.controller.api.Html.escape;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a model card's Markdown to a small, safe HTML subset: headings, paragraphs, bullet and
 * numbered lists, pipe tables, fenced code, block quotes, horizontal rules; inline code, bold,
 * italics and links (http, https or relative only). Every piece of text is HTML-escaped before any
 * tag is added, so a card can never inject markup or script; images become their alt text (the
 * dashboard's content policy would not load them anyway).
 */
final class CardHtml {
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern BULLET = Pattern.compile("^\\s*[-*+]\\s+(.*)$");
    private static final Pattern NUMBERED = Pattern.compile("^\\s*\\d{1,9}[.)]\\s+(.*)$");
    private static final Pattern TABLE_SEP = Pattern.compile("^\\s*\\|?\\s*:?-{1,}:?\\s*(\\|\\s*:?-{1,}:?\\s*)*\\|?\\s*$");
    private static final Pattern RULE = Pattern.compile("^\\s*([-*_])(\\s*\\1){2,}\\s*$");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern IMAGE = Pattern.compile("!\\[([^\\]]*)\\]\\(([^)\\s]*)\\)");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)\\]\\(([^)\\s]+)\\)");
    private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*");
    private static final Pattern ITALIC = Pattern.compile("(?<![\\w*])[*_]([^*_\\s][^*_]*?)[*_](?![\\w*])");
    private static final Pattern SAFE_URL = Pattern.compile("^(https?://|/|#|\\./|[A-Za-z0-9._-]+(/|$|#))[^\\s\"'<>`]*$");

    private CardHtml() {
    }

    public static String render(String markdown) {
        List<String> lines = List.of(markdown.replace("\r\n", "\n").split("\n", -1));
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            Matcher m;
            if (line.isBlank()) {
                i++;
            } else if (line.strip().startsWith("```")) {
                int j = i + 1;
                StringBuilder code = new StringBuilder();
                while (j < lines.size() && !lines.get(j).strip().startsWith("```")) {
                    code.append(lines.get(j)).append('\n');
                    j++;
                }
                out.append("<pre><code>").append(escape(code.toString())).append("</code></pre>\n");
                i = Math.min(lines.size(), j + 1);
            } else if ((m = HEADING.matcher(line)).matches()) {
                int level = m.group(1).length();
                out.append("<h").append(level).append('>').append(inline(m.group(2))).append("</h").append(level).append(">\n");
                i++;
            } else if (RULE.matcher(line).matches()) {
                out.append("<hr>\n");
                i++;
            } else if (line.strip().startsWith("|") && i + 1 < lines.size() && TABLE_SEP.matcher(lines.get(i + 1)).matches()) {
                out.append("<div class=\"table-wrap\"><table>\n<thead><tr>");
                for (String cell : cells(line)) {
                    out.append("<th scope=\"col\">").append(inline(cell)).append("</th>");
                }
                out.append("</tr></thead>\n<tbody>\n");
                int j = i + 2;
                while (j < lines.size() && lines.get(j).strip().startsWith("|")) {
                    out.append("<tr>");
                    for (String cell : cells(lines.get(j))) {
                        out.append("<td>").append(inline(cell)).append("</td>");
                    }
                    out.append("</tr>\n");
                    j++;
                }
                out.append("</tbody></table></div>\n");
                i = j;
            } else if (BULLET.matcher(line).matches() || NUMBERED.matcher(line).matches()) {
                boolean numbered = !BULLET.matcher(line).matches();
                Pattern item = numbered ? NUMBERED : BULLET;
                out.append(numbered ? "<ol>\n" : "<ul>\n");
                int j = i;
                while (j < lines.size() && (m = item.matcher(lines.get(j))).matches()) {
                    StringBuilder text = new StringBuilder(m.group(1));
                    j++;
                    // continuation lines of the item (indented, not a new item)
                    while (j < lines.size() && !lines.get(j).isBlank() && lines.get(j).startsWith("  ")
                            && !item.matcher(lines.get(j)).matches()) {
                        text.append(' ').append(lines.get(j).strip());
                        j++;
                    }
                    out.append("<li>").append(inline(text.toString())).append("</li>\n");
                }
                out.append(numbered ? "</ol>\n" : "</ul>\n");
                i = j;
            } else if (line.startsWith(">")) {
                StringBuilder text = new StringBuilder();
                while (i < lines.size() && lines.get(i).startsWith(">")) {
                    text.append(lines.get(i).substring(1).strip()).append(' ');
                    i++;
                }
                out.append("<blockquote><p>").append(inline(text.toString().strip())).append("</p></blockquote>\n");
            } else {
                StringBuilder text = new StringBuilder(line.strip());
                i++;
                while (i < lines.size() && !lines.get(i).isBlank() && !startsBlock(lines, i)) {
                    text.append(' ').append(lines.get(i).strip());
                    i++;
                }
                out.append("<p>").append(inline(text.toString())).append("</p>\n");
            }
        }
        return out.toString();
    }

    private static boolean startsBlock(List<String> lines, int i) {
        String l = lines.get(i);
        return HEADING.matcher(l).matches() || l.strip().startsWith("```") || l.startsWith(">")
                || BULLET.matcher(l).matches() || NUMBERED.matcher(l).matches() || RULE.matcher(l).matches()
                || (l.strip().startsWith("|") && i + 1 < lines.size() && TABLE_SEP.matcher(lines.get(i + 1)).matches());
    }

    private static List<String> cells(String row) {
        String r = row.strip();
        if (r.startsWith("|")) {
            r = r.substring(1);
        }
        if (r.endsWith("|") && !r.endsWith("\\|")) {
            r = r.substring(0, r.length() - 1);
        }
        List<String> cells = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inCode = false;
        for (int k = 0; k < r.length(); k++) {
            char c = r.charAt(k);
            if (c == '`') {
                inCode = !inCode;
            }
            if (c == '\\' && k + 1 < r.length() && r.charAt(k + 1) == '|') {
                cur.append('|');
                k++;
            } else if (c == '|' && !inCode) {
                cells.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        cells.add(cur.toString().strip());
        return cells;
    }

    /** Inline spans: code first (its content is not formatted further), then the rest, all escaped. */
    static String inline(String text) {
        StringBuilder out = new StringBuilder();
        Matcher m = CODE.matcher(text);
        int last = 0;
        while (m.find()) {
            out.append(spans(text.substring(last, m.start())));
            out.append("<code>").append(escape(m.group(1))).append("</code>");
            last = m.end();
        }
        out.append(spans(text.substring(last)));
        return out.toString();
    }

    private static String spans(String raw) {
        String s = IMAGE.matcher(raw).replaceAll(r -> Matcher.quoteReplacement("[" + r.group(1) + "]"));
        // links are cut out before escaping so their URL can be checked unescaped
        StringBuilder out = new StringBuilder();
        Matcher m = LINK.matcher(s);
        int last = 0;
        while (m.find()) {
            out.append(emphasis(escape(s.substring(last, m.start()))));
            String url = m.group(2);
            if (SAFE_URL.matcher(url).matches() && !url.regionMatches(true, 0, "javascript:", 0, 11)) {
                out.append("<a href=\"").append(escape(url)).append("\" rel=\"noopener noreferrer\">")
                        .append(emphasis(escape(m.group(1)))).append("</a>");
            } else {
                out.append(emphasis(escape(m.group(1))));
            }
            last = m.end();
        }
        out.append(emphasis(escape(s.substring(last))));
        return out.toString();
    }

    private static String emphasis(String escaped) {
        String b = BOLD.matcher(escaped).replaceAll("<strong>$1</strong>");
        return ITALIC.matcher(b).replaceAll("<em>$1</em>");
    }
}
