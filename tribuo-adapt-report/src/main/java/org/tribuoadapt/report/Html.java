package org.tribuoadapt.report;

/**
 * HTML escaping for text content and attribute values.
 */
final class Html {

    private Html() {}

    /**
     * Escapes text for use in HTML element content or a quoted attribute value: {@code & < > " '} become
     * character references, and control characters other than tab, newline and carriage return become U+FFFD.
     * @param text The text.
     * @return The escaped text.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
