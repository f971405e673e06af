<?php
// Import- and execute-phase worker for Composer packages. Protocol: see ../harness.py.
// argv: MODE(import|execute) PROJECT NAME START
//   import:  vendor/autoload.php (autoload "files" run), then load each class the optimized
//            class map puts in the package's folder, one step each
//   execute: load them all, then call every public function and method the package defines,
//            with placeholder arguments, iterating generators
[$_, $mode, $project, $name, $start] = $argv;
$start = (int)$start;
$ev = fopen("php://fd/100", "w");  // the event pipe: always fd 100 (harness.EVENT_FD)
function emit($ev, array $e): void { fwrite($ev, json_encode($e, JSON_INVALID_UTF8_SUBSTITUTE) . "\n"); fflush($ev); }
const DRAIN = 1000;

// Answers everything with itself; a string, an empty array and an empty iterator when asked.
class ValueMock implements ArrayAccess, IteratorAggregate, Countable {
    public function __call($n, $a) { return $this; }
    public static function __callStatic($n, $a) { return new self(); }
    public function __get($n) { return $this; }
    public function __set($n, $v) {}
    public function __isset($n) { return true; }
    public function __toString(): string { return "example"; }
    public function __invoke(...$a) { return $this; }
    public function offsetExists($o): bool { return true; }
    public function offsetGet($o): mixed { return $this; }
    public function offsetSet($o, $v): void {}
    public function offsetUnset($o): void {}
    public function getIterator(): Iterator { return new ArrayIterator([]); }
    public function count(): int { return 0; }
}

$pkgDir = realpath("$project/vendor/$name");
$entry = [];
$meta = json_decode(@file_get_contents("$pkgDir/composer.json") ?: "{}", true) ?: [];
foreach ((array)($meta["bin"] ?? []) as $bin) {
    $entry[] = ["$project/vendor/bin/" . basename($bin)];
}

$t = microtime(true);
require "$project/vendor/autoload.php";
$map = @include "$project/vendor/composer/autoload_classmap.php";
$classes = [];
foreach ((array)$map as $class => $file) {
    $real = realpath($file);
    if ($pkgDir && $real && str_starts_with($real, $pkgDir . "/")) $classes[] = $class;
}
sort($classes);

function load_class(string $c): bool {
    return class_exists($c) || interface_exists($c) || trait_exists($c) || enum_exists($c);
}

if ($mode === "import") {
    emit($ev, ["event" => "plan", "steps" => array_map(fn($c) => "load $c", $classes), "entry_points" => $entry]);
    foreach ($classes as $i => $c) {
        if ($i < $start) continue;
        emit($ev, ["event" => "start", "i" => $i]);
        try {
            emit($ev, ["event" => "end", "i" => $i, "ok" => load_class($c)]);
        } catch (Throwable $e) {
            emit($ev, ["event" => "end", "i" => $i, "ok" => false, "error" => substr(get_class($e) . ": " . $e->getMessage(), 0, 500)]);
        }
    }
    exit(0);
}

foreach ($classes as $c) {
    try { load_class($c); } catch (Throwable $e) {}
}

function ours($r, $pkgDir): bool {
    $f = $r->getFileName();
    return $f && str_starts_with(realpath($f) ?: $f, $pkgDir . "/");
}

function placeholder(?ReflectionType $t) {
    if ($t instanceof ReflectionUnionType || $t instanceof ReflectionIntersectionType) $t = $t->getTypes()[0];
    if (!$t instanceof ReflectionNamedType) return new ValueMock();
    switch (strtolower($t->getName())) {
        case "int": return 1;
        case "float": return 1.0;
        case "string": return "example";
        case "bool": case "true": return true;
        case "false": return false;
        case "array": case "iterable": return [];
        case "callable": case "closure": return fn(...$a) => null;
        case "null": return null;
        case "mixed": case "object": case "self": case "static": return new ValueMock();
    }
    $cls = $t->getName();
    try {
        $rc = new ReflectionClass($cls);
        if ($rc->isInstantiable()) return $rc->newInstanceWithoutConstructor();
    } catch (Throwable $e) {}
    return $t->allowsNull() ? null : new ValueMock();
}

function args_for(?ReflectionFunctionAbstract $f): array {
    $args = [];
    if ($f === null) return $args;
    foreach ($f->getParameters() as $p) {
        if ($p->isOptional() || $p->isVariadic()) break;
        $args[] = placeholder($p->getType());
    }
    return $args;
}

function instance(ReflectionClass $rc) {
    try {
        return $rc->newInstanceArgs(args_for($rc->getConstructor()));
    } catch (Throwable $e) {
        return $rc->newInstanceWithoutConstructor();
    }
}

function settle($r): string {
    if ($r instanceof Traversable) {
        $n = 0;
        foreach ($r as $_) { if (++$n >= DRAIN) break; }
        return get_class($r) . "($n items)";
    }
    return is_object($r) ? get_class($r) : gettype($r);
}

$steps = [];
foreach (get_defined_functions()["user"] as $fn) {
    $rf = new ReflectionFunction($fn);
    if (ours($rf, $pkgDir)) $steps[] = [$rf->getName() . "()", fn() => settle($rf->invokeArgs(args_for($rf)))];
}
foreach ($classes as $c) {
    if (!class_exists($c, false)) continue;
    $rc = new ReflectionClass($c);
    if ($rc->isAbstract() || $rc->isInterface() || $rc->isEnum()) continue;
    $steps[] = ["new $c()", fn() => settle(instance($rc))];
    foreach ($rc->getMethods(ReflectionMethod::IS_PUBLIC) as $m) {
        if ($m->isConstructor() || $m->isAbstract() || str_starts_with($m->getName(), "__")
            || $m->getDeclaringClass()->getName() !== $rc->getName() || !ours($m, $pkgDir)) continue;
        $steps[] = [$c . ($m->isStatic() ? "::" : "->") . $m->getName() . "()", function () use ($rc, $m) {
            return settle($m->invokeArgs($m->isStatic() ? null : instance($rc), args_for($m)));
        }];
    }
}

emit($ev, ["event" => "plan", "steps" => array_map(fn($s) => $s[0], $steps), "entry_points" => $entry]);
foreach ($steps as $i => [$label, $thunk]) {
    if ($i < $start) continue;
    emit($ev, ["event" => "start", "i" => $i]);
    try {
        emit($ev, ["event" => "end", "i" => $i, "ok" => true, "result" => $thunk()]);
    } catch (Throwable $e) {
        emit($ev, ["event" => "end", "i" => $i, "ok" => false, "error" => substr(get_class($e) . ": " . $e->getMessage(), 0, 500)]);
    }
}
exit(0);
