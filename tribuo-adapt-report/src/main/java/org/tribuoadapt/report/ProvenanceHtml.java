package org.tribuoadapt.report;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;

import static org.tribuoadapt.report.Html.escape;

/**
 * Renders an OLCUT provenance tree as nested, escaped HTML lists: object provenances show their class name and
 * their fields, list provenances become ordered lists, map provenances key/value lists and primitive provenances
 * their value.
 */
final class ProvenanceHtml {

    private ProvenanceHtml() {}

    /**
     * Appends the fields of an object provenance as a nested list (its class name is left to the caller).
     * @param out The HTML being built.
     * @param provenance The provenance.
     */
    static void appendFields(StringBuilder out, ObjectProvenance provenance) {
        StringBuilder items = new StringBuilder();
        for (Pair<String, Provenance> field : provenance) {
            if (!ObjectProvenance.CLASS_NAME.equals(field.getA())) {
                appendItem(items, field.getA(), field.getB());
            }
        }
        if (!items.isEmpty()) {
            out.append("<ul class=\"tree\">").append(items).append("</ul>");
        }
    }

    private static void appendItem(StringBuilder out, String key, Provenance value) {
        out.append("<li>");
        if (key != null) {
            out.append("<span class=\"key\">").append(escape(key)).append("</span> ");
        }
        appendValue(out, value);
        out.append("</li>");
    }

    private static void appendValue(StringBuilder out, Provenance value) {
        if (value instanceof ObjectProvenance object) {
            out.append("<span class=\"class\">").append(escape(object.getClassName())).append("</span>");
            appendFields(out, object);
        } else if (value instanceof ListProvenance<?> list) {
            if (list.getList().isEmpty()) {
                out.append("<span class=\"empty\">[ ]</span>");
            } else {
                out.append("<ol class=\"tree\">");
                for (Provenance element : list) {
                    appendItem(out, null, element);
                }
                out.append("</ol>");
            }
        } else if (value instanceof MapProvenance<?> map) {
            if (map.getMap().isEmpty()) {
                out.append("<span class=\"empty\">{ }</span>");
            } else {
                out.append("<ul class=\"tree\">");
                for (Pair<String, ? extends Provenance> entry : map) {
                    appendItem(out, entry.getA(), entry.getB());
                }
                out.append("</ul>");
            }
        } else if (value instanceof PrimitiveProvenance<?> primitive) {
            out.append("<span class=\"value\">").append(escape(String.valueOf(primitive.getValue())))
                    .append("</span>");
        } else {
            out.append("<span class=\"value\">").append(escape(String.valueOf(value))).append("</span>");
        }
    }
}
