package org.tribuoadapt.tta.method;

import org.junit.jupiter.api.Test;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.testing.CompiledClasses;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class TestTimeMethodsTest {

    @Test
    public void everyMethodOfTheModuleIsRegisteredOnce() {
        Set<Class<?>> registered = TestTimeMethods.names().stream().map(n -> TestTimeMethods.create(n).getClass())
                .collect(Collectors.toSet());
        Set<Class<?>> compiled = Set.copyOf(CompiledClasses.implementations(TestTimeMethod.class,
                "org.tribuoadapt.tta.method"));
        assertEquals(compiled, registered);
        assertEquals(registered.size(), TestTimeMethods.names().size());
    }

    @Test
    public void namesResolveToDefaultConfiguredMethods() {
        assertEquals(List.of("source", "bn-adapt", "alpha-bn", "core", "tent", "eata", "sar", "cafa", "lame", "t3a",
                "label-shift-em", "label-shift-adapter", "dsrm"), TestTimeMethods.names());
        for (String name : TestTimeMethods.names()) {
            TestTimeMethod method = TestTimeMethods.create(name);
            assertEquals(name, method.name());
            Helpers.testConfigurableRoundtrip(method);
        }
        assertEquals(List.of("lame", "tent"), TestTimeMethods.create(List.of("lame", "tent")).stream()
                .map(TestTimeMethod::name).toList());
    }

    @Test
    public void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestTimeMethods.create("cotta"));
        assertEquals("unknown method 'cotta'; methods are " + TestTimeMethods.names(), e.getMessage());
        assertTrue(e.getMessage().contains("[source, bn-adapt, alpha-bn, core, tent"), e.getMessage());
    }
}
