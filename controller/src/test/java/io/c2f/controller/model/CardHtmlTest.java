package io.c2f.controller.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CardHtmlTest {
    @Test
    void headingsListsTablesCodeAndEmphasis() {
        String html = CardHtml.render("""
                # emoji32: a *small* model

                Trained on **1,249** images; see [the method](https://example.org/m) and `x0_rank95`.

                | resolution | MACs |
                |---|---|
                | 32x32 | 364 M |
                | 16x16 | 91 M \\| 25 % |

                - one
                - two
                  continued

                ```
                a < b
                ```
                """);
        assertTrue(html.contains("<h1>emoji32: a <em>small</em> model</h1>"), html);
        assertTrue(html.contains("<strong>1,249</strong>"), html);
        assertTrue(html.contains("<a href=\"https://example.org/m\" rel=\"noopener noreferrer\">the method</a>"), html);
        assertTrue(html.contains("<code>x0_rank95</code>"), html);
        assertTrue(html.contains("<thead><tr><th scope=\"col\">resolution</th><th scope=\"col\">MACs</th></tr></thead>"), html);
        assertTrue(html.contains("<td>16x16</td><td>91 M | 25 %</td>"), html);
        assertTrue(html.contains("<li>two continued</li>"), html);
        assertTrue(html.contains("<pre><code>a &lt; b\n</code></pre>"), html);
    }

    @Test
    void markupAndScriptUrlsAreEscapedNeverEmitted() {
        String html = CardHtml.render("""
                <script>alert(1)</script> <img src=x onerror=alert(2)>

                [click](javascript:alert(3)) [x](" onmouseover="alert(4)) ![pic](samples.png)

                | <b>h</b> |
                |---|
                | `<i>` |
                """);
        assertFalse(html.contains("<script"), html);
        assertFalse(html.contains("<img"), html);
        assertFalse(html.contains("<b>"), html);
        assertFalse(html.contains("<i>"), html);
        assertFalse(html.contains("href=\"javascript"), html);
        assertFalse(html.contains("onmouseover=\""), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertTrue(html.contains("<p>&lt;script&gt;"), html);
        assertTrue(html.contains("click"), html);
        assertTrue(html.contains("[pic]"), html);
        assertTrue(html.contains("<code>&lt;i&gt;</code>"), html);
    }

    @Test
    void identifiersWithUnderscoresStayPlain() {
        assertEquals("<p>model_sha256 and x_t stay as they are</p>\n",
                CardHtml.render("model_sha256 and x_t stay as they are"));
    }

    @Test
    void theShippedModelCardRendersWithItsTables() throws Exception {
        Path card = Path.of("..", "models", "zoo", "emoji32-c2f", "MODEL_CARD.md");
        String html = CardHtml.render(Files.readString(card));
        assertTrue(html.startsWith("<h1>emoji32-c2f"), html.substring(0, 80));
        assertTrue(html.split("<table>").length > 3, "several tables");
        assertFalse(html.contains("<script"));
    }
}
