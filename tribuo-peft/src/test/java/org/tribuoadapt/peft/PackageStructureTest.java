package org.tribuoadapt.peft;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.testing.PackageImports;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layering of the module's packages: no import cycles; the file format ({@code io}) imports nothing of the module;
 * the framework (which holds the method registry) imports no method package; and combining adapters knows only LoRA,
 * whose adapters it builds.
 */
public class PackageStructureTest {

    private static final String ROOT = "org.tribuoadapt.peft";

    private static PackageImports graph;
    private static Set<String> methodPackages;

    @BeforeAll
    public static void readSources() throws IOException {
        graph = PackageImports.ofModule();
        methodPackages = new TreeSet<>();
        for (PeftMethod<?> method : PeftMethods.installed().methods()) {
            methodPackages.add(method.getClass().getPackageName());
        }
    }

    private static Set<String> methodPackagesUsedBy(String pkg) {
        Set<String> used = new TreeSet<>(graph.usedBy(pkg));
        used.retainAll(methodPackages);
        return used;
    }

    @Test
    public void packagesFormNoCycle() {
        assertTrue(graph.packages().containsAll(methodPackages), graph.toString());
        assertTrue(graph.cycles().isEmpty(), graph.describeCycles());
    }

    @Test
    public void fileFormatImportsNothingOfTheModule() {
        assertEquals(Set.of(), graph.usedBy(ROOT + ".io"), graph.toString());
    }

    @Test
    public void frameworkAndRegistryImportNoMethod() {
        assertEquals(Set.of(), methodPackagesUsedBy(ROOT), graph.toString());
    }

    @Test
    public void combinationKnowsOnlyLora() {
        assertEquals(Set.of(ROOT + ".lora"), methodPackagesUsedBy(ROOT + ".combine"), graph.toString());
    }
}
