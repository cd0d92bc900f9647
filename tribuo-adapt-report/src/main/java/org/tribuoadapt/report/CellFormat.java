package org.tribuoadapt.report;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Formats table cells for display in HTML; the JSON report always keeps the full value.
 * <p>
 * Integer types are shown exactly. Other numbers with magnitude in [1e-4, 1e6) are rounded to four significant
 * digits but never lose integer digits ({@code 0.93456 -> 0.9346}, {@code 12345.6 -> 12346}); smaller or larger
 * magnitudes use scientific notation with four significant digits ({@code 1.235e-05}). NaN and infinities are
 * shown as {@code NaN}, {@code ∞} and {@code -∞}. Formatting is locale-independent.
 */
final class CellFormat {

    private static final int SIGNIFICANT_DIGITS = 4;

    private CellFormat() {}

    /**
     * Formats a cell for display.
     * @param cell A string or number.
     * @return The display text (not yet HTML-escaped).
     */
    static String format(Object cell) {
        if (!(cell instanceof Number number)) {
            return String.valueOf(cell);
        }
        if (number instanceof Integer || number instanceof Long || number instanceof Short
                || number instanceof Byte || number instanceof BigInteger) {
            return number.toString();
        }
        double value = number.doubleValue();
        if (Double.isNaN(value)) {
            return "NaN";
        } else if (Double.isInfinite(value)) {
            return value > 0 ? "∞" : "-∞";
        } else if (value == 0) {
            return "0";
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1e-4 && magnitude < 1e6) {
            int exponent = (int) Math.floor(Math.log10(magnitude));
            int scale = Math.max(0, SIGNIFICANT_DIGITS - 1 - exponent);
            BigDecimal decimal = number instanceof BigDecimal big ? big : BigDecimal.valueOf(value);
            return decimal.setScale(scale, RoundingMode.HALF_UP).toPlainString();
        }
        return String.format(Locale.ROOT, "%." + (SIGNIFICANT_DIGITS - 1) + "e", value);
    }

    /**
     * The full-precision text of a number, for a tooltip.
     * @param number The number.
     * @return Its exact decimal text.
     */
    static String fullPrecision(Number number) {
        return number instanceof Float f ? Float.toString(f) : number.toString();
    }
}
