package org.tribuoadapt.report;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CellFormatTest {

    @Test
    void formatsNumbersForDisplay() {
        assertEquals("text", CellFormat.format("text"));
        assertEquals("42", CellFormat.format(42));
        assertEquals("12345678901234", CellFormat.format(12345678901234L));
        assertEquals("123456789012345678901234567890",
                CellFormat.format(new BigInteger("123456789012345678901234567890")));
        assertEquals("0.9346", CellFormat.format(0.93456));
        assertEquals("0.5000", CellFormat.format(0.5f));
        assertEquals("12346", CellFormat.format(12345.6));
        assertEquals("3.142", CellFormat.format(3.14159));
        assertEquals("-0.001235", CellFormat.format(-0.0012345));
        assertEquals("0.1235", CellFormat.format(new BigDecimal("0.123456")));
        assertEquals("1.235e-05", CellFormat.format(0.000012345));
        assertEquals("1.235e+07", CellFormat.format(12345678.0));
        assertEquals("0", CellFormat.format(0.0));
        assertEquals("NaN", CellFormat.format(Double.NaN));
        assertEquals("∞", CellFormat.format(Double.POSITIVE_INFINITY));
        assertEquals("-∞", CellFormat.format(Double.NEGATIVE_INFINITY));
        assertEquals("0.1", CellFormat.fullPrecision(0.1f));
    }

    @Test
    void escapesHtml() {
        assertEquals("&lt;b&gt;&amp;&quot;&#39;\n\uFFFD", Html.escape("<b>&\"'\n\u0001"));
    }
}
