package org.tribuoadapt.core.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PackageImportsTest {

    private static void source(Path root, String pkg, String name, String body) throws IOException {
        Path dir = root.resolve(pkg.replace('.', '/'));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".java"), "package " + pkg + ";\n\n" + body);
    }

    @Test
    public void findsTheCycleAndTheFilesBehindIt(@TempDir Path root) throws IOException {
        source(root, "x.a", "A", "import x.b.B;\nimport java.util.List;\npublic class A {}\n");
        source(root, "x.b", "B", "public class B { x.c.C c; }\n");
        source(root, "x.c", "C", "import static x.a.A.helper;\npublic class C {}\n");
        source(root, "x.d", "D", "import x.a.*;\npublic class D {}\n");
        PackageImports graph = PackageImports.of(root);
        assertEquals(Set.of("x.a", "x.b", "x.c", "x.d"), graph.packages());
        assertEquals(Set.of("x.b"), graph.usedBy("x.a"));
        assertEquals(Set.of("x.c"), graph.usedBy("x.b"));
        assertEquals(Set.of("x.a"), graph.usedBy("x.d"));
        assertEquals(List.of(List.of("x.a", "x.b", "x.c")), graph.cycles());
        String description = graph.describeCycles();
        assertTrue(description.contains("x.a -> x.b (" + Path.of("x", "a", "A.java") + ") -> x.c"), description);
    }

    @Test
    public void commentsStringsAndOtherModulesAreNotDependencies(@TempDir Path root) throws IOException {
        source(root, "x.a", "A", "/** Uses {@link x.b.B}. */\npublic class A {\n    // x.b.B b;\n"
                + "    String s = \"x.b.B\";\n    ai.djl.ndarray.types.DataType t;\n}\n");
        source(root, "x.b", "B", "import x.a.A;\npublic class B { String s = \"\\\"x.c.C\"; }\n");
        source(root, "x.c", "C", "public class C { x.a.A a; }\n");
        PackageImports graph = PackageImports.of(root);
        assertEquals(Set.of(), graph.usedBy("x.a"));
        assertEquals(Set.of("x.a"), graph.usedBy("x.b"));
        assertEquals(Set.of("x.a"), graph.usedBy("x.c"));
        assertTrue(graph.cycles().isEmpty(), graph.describeCycles());
        assertEquals(Set.of("C.java"), Set.of(Path.of(graph.filesUsing("x.c", "x.a").iterator().next()).getFileName().toString()));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> graph.usedBy("x.z"));
        assertTrue(unknown.getMessage().contains("'x.z'") && unknown.getMessage().contains("x.a, x.b, x.c"),
                unknown.getMessage());
    }

    @Test
    public void readsTheModuleItRunsIn() throws IOException {
        PackageImports graph = PackageImports.ofModule();
        assertTrue(graph.usedBy("org.tribuoadapt.core.model").contains("org.tribuoadapt.core.nn"), graph.toString());
    }
}
