# Import- and execute-phase worker for RubyGems. Protocol: see ../harness.py.
# argv: MODE(import|execute) NAME VERSION START
#   import:  require every file under the gem's require paths, one step each
#   execute: require them all, then call every public method the gem's modules and classes define
#            (singleton and instance methods, top-level defs) with mock arguments and a block,
#            forcing enumerators
require "json"

EV = IO.new(100, "w")  # the event pipe: always fd 100 (harness.EVENT_FD), nothing in the environment
EV.close_on_exec = true
EV.sync = true
DRAIN = 1000

def emit(ev)
  EV.write(JSON.generate(ev) + "\n")
end

# Answers every message with itself and converts to the basic types, so most code gets far.
class ValueMock < BasicObject
  def method_missing(*_args, &_blk) = self
  def respond_to_missing?(*) = true
  def to_s = "example"
  def to_str = "example"
  def to_i = 1
  def to_int = 1
  def to_a = []
  def to_ary = []
  def to_h = {}
  def to_hash = {}
  def to_proc = ::Proc.new { self }
  def inspect = "#<ValueMock>"
  def nil? = false
  def is_a?(_k) = false
  def ==(other) = equal?(other)
end

mode, name, version, start = ARGV[0], ARGV[1], ARGV[2], ARGV[3].to_i
spec = Gem::Specification.find_by_name(name, version)
spec.activate
gem_dir = spec.full_gem_path + "/"

features = spec.full_require_paths.flat_map do |rp|
  Dir.glob(File.join(rp, "**", "*.{rb,so}")).sort.map { |f| [f, f.delete_prefix(rp + "/").sub(/\.(rb|so)\z/, "")] }
end.uniq { |_f, feat| feat }
entry = spec.executables.map { |e| [File.join(Gem.bindir, e)] }

def ours?(meth, gem_dir)
  loc = meth.source_location
  loc && loc[0].start_with?(gem_dir)
end

def args_for(meth)
  args = []
  kw = {}
  meth.parameters.each do |type, pname|
    case type
    when :req then args << ValueMock.new
    when :keyreq then kw[pname] = ValueMock.new
    end
  end
  [args, kw]
end

def settle(r)
  case r
  when Enumerator::Lazy then "lazy(#{r.first(DRAIN).size} items)"
  when Enumerator then "enumerator(#{r.take(DRAIN).size} items)"
  when Thread then r.join(5) ? "thread" : "thread(still running)"
  else
    ValueMock === r ? "mock" : r.class.name.to_s
  end
rescue Exception => e
  "#{e.class} while draining"
end

def instance_of(klass)
  init = klass.instance_method(:initialize)
  a, k = args_for(init)
  klass.new(*a, **k) { |*| nil }
rescue Exception
  klass.allocate
end

def call(meth, a, k)
  meth.call(*a, **k) { |*| nil }
end

if mode == "import"
  emit(event: "plan", steps: features.map { |f, feat| "require #{feat}" }, entry_points: entry)
  features.each_with_index do |(_f, feat), i|
    next if i < start
    emit(event: "start", i: i)
    begin
      require feat
      emit(event: "end", i: i, ok: true)
    rescue Exception => e
      emit(event: "end", i: i, ok: false, error: "#{e.class}: #{e.message}"[0, 500])
    end
  end
  exit!(0)
end

features.each do |_f, feat|
  begin
    require feat
  rescue Exception
  end
end

steps = []
ObjectSpace.each_object(Module).select { |m| m.name && !m.name.start_with?("ValueMock") }
  .sort_by(&:name).each do |mod|
  mod.singleton_methods(false).sort.each do |m|
    meth = mod.method(m) rescue next
    steps << ["#{mod.name}.#{m}", -> { a, k = args_for(meth); settle(call(meth, a, k)) }] if ours?(meth, gem_dir)
  end
  mod.public_instance_methods(false).sort.each do |m|
    um = mod.instance_method(m) rescue next
    next unless ours?(um, gem_dir)
    steps << ["#{mod.name}##{m}", lambda {
      obj = mod.is_a?(Class) ? instance_of(mod) : Object.new.extend(mod)
      meth = um.bind(obj)
      a, k = args_for(meth)
      settle(call(meth, a, k))
    }]
  end
end
Object.private_instance_methods(false).sort.each do |m|
  um = Object.instance_method(m)
  next unless ours?(um, gem_dir)
  steps << ["#{m} (top level)", -> { meth = um.bind(Object.new); a, k = args_for(meth); settle(call(meth, a, k)) }]
end

emit(event: "plan", steps: steps.map(&:first), entry_points: entry)
steps.each_with_index do |(_label, thunk), i|
  next if i < start
  emit(event: "start", i: i)
  begin
    emit(event: "end", i: i, ok: true, result: thunk.call)
  rescue Exception => e
    emit(event: "end", i: i, ok: false, error: "#{e.class}: #{e.message}"[0, 500])
  end
end
exit!(0)
