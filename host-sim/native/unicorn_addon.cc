// N-API binding over Debian's libunicorn 2.0.1 for tier 2: a Cortex-M4 (Thumb, M-class) whose
// memories are the chip model's own byte arrays (mapped in place, so both sides see the same bytes)
// and whose peripheral windows call back into the chip model synchronously. It counts executed
// instructions (the benchmark's measure and tier 2's time base) and stops at chosen addresses.
// The same per-instruction hook recognises the hint and breakpoint instructions unicorn does not
// treat as an M-profile core does (WFI/WFE stop the engine or fail, SEV is a no-op, BKPT raises an
// unhandled exception): it stops before WFI, WFE and BKPT and reports which, and it notes every SEV,
// so that the runner (host-sim/tiers/firmware-runner.ts) gives them their ARMv7-M meaning.
// One register may be answered here instead of in JS: a cycle counter derived from virtual time
// (DWT_CYCCNT, the device runtime's time source, read in every polling loop). The runner shares
// the numbers the chip model would use (clockState below) and allows it only while such a read
// has no effect beyond its value: no event falls due, no interrupt can be taken; anything else
// goes to the chip model in JS as every other peripheral access does.
#include <napi.h>
#include <unicorn/unicorn.h>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

// Thumb encodings (ARMv7-M ARM A7.7): 16-bit hints 0xBF10 YIELD, 0xBF20 WFE, 0xBF30 WFI, 0xBF40 SEV;
// BKPT 0xBExx; 32-bit hints F3AF 800x.
constexpr uint16_t kWfe = 0xbf20, kWfi = 0xbf30, kSev = 0xbf40;
constexpr uint16_t kBkptMask = 0xff00, kBkpt = 0xbe00;
constexpr uint16_t kHint32First = 0xf3af;

// Why run() returned early, besides an engine error.
enum StopKind { kStopNone = 0, kStopAddress, kStopBudget, kStopWfi, kStopWfe, kStopBkpt };
const char* const kStopNames[] = {"none", "address", "budget", "wfi", "wfe", "bkpt"};

// Layout of the Float64Array shared by shareClockState(); the runner writes it before every run and
// after every access it handles, and reads back what served reads moved (the time and the count).
enum ClockState {
  kServe = 0,         // 1 while a counter read may be answered here
  kNowUs,             // the chip's virtual time
  kNextEventUs,       // when the next scheduled event falls due (Infinity: none)
  kCoreHz,            // HCLK1: instructions per second (one cycle each)
  kSyncedInstructions,// the instruction count the virtual time corresponds to
  kStretchEnd,        // where the run under way ends (its budget, or the next event)
  kCounterEnabled,    // the counter counts (DWT_CTRL.CYCCNTENA)
  kCounterBase,       // its value at kCounterBaseUs
  kCounterBaseUs,
  kServedReads,       // counted here: reads answered without the chip model
  kClockStateLength
};

struct CodeRegion {
  uint64_t base;
  uint64_t length;
  const uint8_t* bytes;
};

struct MmioWindow {
  class Emulator* owner;
  uint64_t base;
  Napi::FunctionReference read;
  Napi::FunctionReference write;
};

class Emulator : public Napi::ObjectWrap<Emulator> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Emulator", {
      InstanceMethod("mapBuffer", &Emulator::MapBuffer),
      InstanceMethod("mapRam", &Emulator::MapRam),
      InstanceMethod("unmap", &Emulator::Unmap),
      InstanceMethod("mapMmio", &Emulator::MapMmio),
      InstanceMethod("regRead", &Emulator::RegRead),
      InstanceMethod("regWrite", &Emulator::RegWrite),
      InstanceMethod("addStopAddress", &Emulator::AddStopAddress),
      InstanceMethod("removeStopAddress", &Emulator::RemoveStopAddress),
      InstanceMethod("run", &Emulator::Run),
      InstanceMethod("stop", &Emulator::Stop),
      InstanceMethod("limitTo", &Emulator::LimitTo),
      InstanceMethod("instructions", &Emulator::Instructions),
      InstanceMethod("shareClockState", &Emulator::ShareClockState),
      InstanceMethod("close", &Emulator::Close),
    });
  }

  explicit Emulator(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Emulator>(info) {
    Napi::Env env = info.Env();
    uc_err err = uc_open(UC_ARCH_ARM, static_cast<uc_mode>(UC_MODE_THUMB | UC_MODE_MCLASS), &uc_);
    if (err != UC_ERR_OK) {
      Napi::Error::New(env, std::string("uc_open: ") + uc_strerror(err)).ThrowAsJavaScriptException();
      return;
    }
    uc_ctl_set_cpu_model(uc_, UC_CPU_ARM_CORTEX_M4);
    // Counting every instruction in C is cheap next to the emulation itself.
    uc_hook_add(uc_, &count_hook_, UC_HOOK_CODE, reinterpret_cast<void*>(&CountInstruction), this, 1, 0);
    uc_hook_add(uc_, &unmapped_hook_, UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_PROT, reinterpret_cast<void*>(&RecordInvalidAccess), this, 1, 0);
  }

  ~Emulator() override { Shutdown(); }

 private:
  uc_engine* uc_ = nullptr;
  uc_hook count_hook_ = 0;
  uc_hook unmapped_hook_ = 0;
  uint64_t instructions_ = 0;
  // Instruction count at which run() stops (its budget); UINT64_MAX when unlimited.
  uint64_t limit_ = UINT64_MAX;
  StopKind stop_kind_ = kStopNone;
  bool sev_ = false;
  // Memories mapped from arrays: where the hook reads the instruction it is about to execute.
  std::vector<CodeRegion> code_regions_;
  const CodeRegion* last_region_ = nullptr;
  // The last access to an unmapped or protected address: what run() reports.
  bool invalid_access_ = false;
  uint64_t invalid_address_ = 0;
  int invalid_size_ = 0;
  int invalid_type_ = 0;
  std::vector<std::unique_ptr<MmioWindow>> windows_;
  std::vector<Napi::Reference<Napi::Uint8Array>> pinned_;
  Napi::Env* callback_env_ = nullptr;
  bool callback_failed_ = false;
  Napi::Reference<Napi::Value> callback_error_;
  uint64_t stopped_at_ = 0;
  bool stopped_ = false;
  bool running_ = false;
  // The counter register answered here, and the runner's numbers for it (shareClockState).
  uint64_t counter_address_ = 0;
  double* clock_ = nullptr;
  Napi::Reference<Napi::Float64Array> clock_array_;
  // Stop-address hooks by address (removable: a debugger's breakpoints come and go).
  std::map<uint64_t, uc_hook> stop_hooks_;
  // Where the run under way began, and whether it has left that address yet: with run()'s fourth
  // argument set, a stop address at the start of the run is where the last run stopped, and
  // resuming executes it (as a debugger steps off a breakpoint).
  uint64_t begin_ = 0;
  bool left_begin_ = false;

  void Shutdown() {
    if (uc_) {
      uc_close(uc_);
      uc_ = nullptr;
    }
    windows_.clear();
    pinned_.clear();
    clock_ = nullptr;
    clock_array_.Reset();
    code_regions_.clear();
    last_region_ = nullptr;
  }

  // Every method that reaches the engine first checks that it is open (closed by close(), or never
  // opened when uc_open failed: "emulator closed") and that its arguments have the expected types
  // (TypeError, RangeError), so that a mistake on the JS side is a JS exception and never a crash
  // of the process. instructions() only reads the counter and still answers after close().
  bool Open(Napi::Env env) {
    if (uc_) return true;
    Napi::Error::New(env, "emulator closed").ThrowAsJavaScriptException();
    return false;
  }

  bool Idle(Napi::Env env, const char* method) {
    if (!running_) return true;
    Napi::Error::New(env, std::string(method) + ": not allowed while the emulator runs").ThrowAsJavaScriptException();
    return false;
  }

  static bool TypeFailure(Napi::Env env, const char* method, size_t index, const char* expected) {
    Napi::TypeError::New(env, std::string(method) + ": argument " + std::to_string(index + 1) + " must be " + expected)
        .ThrowAsJavaScriptException();
    return false;
  }

  // A non-negative integral number (addresses, lengths, counts).
  static bool Unsigned(const Napi::CallbackInfo& info, size_t index, const char* method, uint64_t* out) {
    Napi::Value value = info[index];
    if (!value.IsNumber()) return TypeFailure(info.Env(), method, index, "a number");
    double number = value.As<Napi::Number>().DoubleValue();
    if (!(number >= 0) || number > 9007199254740991.0 || std::floor(number) != number) {
      Napi::RangeError::New(info.Env(), std::string(method) + ": argument " + std::to_string(index + 1) + " must be a non-negative integer")
          .ThrowAsJavaScriptException();
      return false;
    }
    *out = static_cast<uint64_t>(number);
    return true;
  }

  static bool Present(const Napi::CallbackInfo& info, size_t index) {
    return info.Length() > index && !info[index].IsUndefined();
  }

  bool Check(Napi::Env env, uc_err err, const char* what) {
    if (err == UC_ERR_OK) return true;
    Napi::Error::New(env, std::string(what) + ": " + uc_strerror(err)).ThrowAsJavaScriptException();
    return false;
  }

  const uint8_t* InstructionBytes(uint64_t address, uint32_t size) {
    const CodeRegion* region = last_region_;
    if (!region || address < region->base || address + size > region->base + region->length) {
      region = nullptr;
      for (const auto& r : code_regions_) {
        if (address >= r.base && address + size <= r.base + r.length) { region = &r; break; }
      }
      if (!region) return nullptr;
      last_region_ = region;
    }
    return region->bytes + (address - region->base);
  }

  void StopBefore(uc_engine* uc, StopKind kind, uint64_t address) {
    stop_kind_ = kind;
    stopped_ = true;
    stopped_at_ = address;
    uc_emu_stop(uc);
  }

  // Runs before every instruction: counts it, or stops in front of it (budget spent, WFI, WFE, BKPT).
  static void CountInstruction(uc_engine* uc, uint64_t address, uint32_t size, void* user) {
    auto* self = static_cast<Emulator*>(user);
    if (self->stopped_) return;  // a stop already requested: this instruction does not execute
    if (address != self->begin_) self->left_begin_ = true;
    if (self->instructions_ >= self->limit_) return self->StopBefore(uc, kStopBudget, address);
    const uint8_t* bytes = self->InstructionBytes(address, size);
    if (bytes) {
      uint16_t first = static_cast<uint16_t>(bytes[0] | (bytes[1] << 8));
      uint16_t hint = first;
      if (size == 4) {
        // 32-bit hint: F3AF 800x with x = 2 WFE, 3 WFI, 4 SEV; mapped onto the 16-bit codes.
        uint16_t second = static_cast<uint16_t>(bytes[2] | (bytes[3] << 8));
        hint = (first == kHint32First && (second & 0xfff0) == 0x8000) ? static_cast<uint16_t>(0xbf00 | ((second & 0xf) << 4)) : 0;
      }
      if (hint == kWfi) return self->StopBefore(uc, kStopWfi, address);
      if (hint == kWfe) return self->StopBefore(uc, kStopWfe, address);
      if (size == 2 && (first & kBkptMask) == kBkpt) return self->StopBefore(uc, kStopBkpt, address);
      if (hint == kSev) self->sev_ = true;
    }
    self->instructions_++;
  }

  static bool RecordInvalidAccess(uc_engine*, uc_mem_type type, uint64_t address, int size, int64_t, void* user) {
    auto* self = static_cast<Emulator*>(user);
    self->invalid_access_ = true;
    self->invalid_address_ = address;
    self->invalid_size_ = size;
    self->invalid_type_ = type;
    return false;
  }

  static void StopHere(uc_engine* uc, uint64_t address, uint32_t, void* user) {
    auto* self = static_cast<Emulator*>(user);
    if (self->stopped_) return;
    if (!self->left_begin_ && address == self->begin_) return;
    self->StopBefore(uc, kStopAddress, address);
  }

  // mapBuffer(address, Uint8Array, perms): maps the array's own memory (kept alive here).
  Napi::Value MapBuffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env)) return env.Undefined();
    uint64_t address = 0, perms = 0, length = 0;
    if (!Unsigned(info, 0, "mapBuffer", &address)) return env.Undefined();
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      TypeFailure(env, "mapBuffer", 1, "a Uint8Array");
      return env.Undefined();
    }
    auto bytes = info[1].As<Napi::Uint8Array>();
    if (!Unsigned(info, 2, "mapBuffer", &perms)) return env.Undefined();
    length = bytes.ByteLength();
    if (Present(info, 3) && !Unsigned(info, 3, "mapBuffer", &length)) return env.Undefined();
    if (length > bytes.ByteLength()) {
      Napi::RangeError::New(env, "mapBuffer: length beyond the array").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (!Check(env, uc_mem_map_ptr(uc_, address, length, static_cast<uint32_t>(perms), bytes.Data()), "uc_mem_map_ptr")) return env.Undefined();
    pinned_.push_back(Napi::Persistent(bytes));
    code_regions_.push_back({address, length, bytes.Data()});
    last_region_ = nullptr;
    return env.Undefined();
  }

  Napi::Value MapRam(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env)) return env.Undefined();
    uint64_t address = 0, length = 0;
    if (!Unsigned(info, 0, "mapRam", &address) || !Unsigned(info, 1, "mapRam", &length)) return env.Undefined();
    Check(env, uc_mem_map(uc_, address, length, UC_PROT_ALL), "uc_mem_map");
    return env.Undefined();
  }

  Napi::Value Unmap(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env) || !Idle(env, "unmap")) return env.Undefined();
    uint64_t address = 0, length = 0;
    if (!Unsigned(info, 0, "unmap", &address) || !Unsigned(info, 1, "unmap", &length)) return env.Undefined();
    Check(env, uc_mem_unmap(uc_, address, length), "uc_mem_unmap");
    return env.Undefined();
  }

  // The counter read as the chip model answers it at this instruction count, when that is all the
  // access does: the runner's access() brings the virtual time up to the count (no event may fall
  // due on the way), reads CYCCNT = base + floor(elapsed us * HCLK / 1e6) (dwt.ts), and shortens
  // the run when the next event now falls due sooner. The same double operations in the same
  // order as in JS, so that time and count stay bit-identical. False: the chip model must answer.
  bool ServeCounter(uint64_t* value) {
    double* clock = clock_;
    if (!clock || clock[kServe] == 0) return false;
    const double count = static_cast<double>(instructions_);
    const double delta = count - clock[kSyncedInstructions];
    double now = clock[kNowUs];
    if (delta > 0) {
      const double target = now + (delta * 1e6) / clock[kCoreHz];
      if (!(target < clock[kNextEventUs])) return false;
      if (target > now) now = target;
    }
    double cycles = clock[kCounterBase];
    if (clock[kCounterEnabled] != 0) cycles += std::floor(((now - clock[kCounterBaseUs]) * clock[kCoreHz]) / 1e6);
    clock[kNowUs] = now;
    clock[kSyncedInstructions] = count;
    if (std::isfinite(clock[kNextEventUs])) {
      const double end = count + std::fmax(1.0, std::ceil(((clock[kNextEventUs] - now) * clock[kCoreHz]) / 1e6));
      if (end < clock[kStretchEnd]) {
        clock[kStretchEnd] = end;
        if (static_cast<uint64_t>(end) < limit_) limit_ = static_cast<uint64_t>(end);
      }
    }
    clock[kServedReads] += 1;
    *value = static_cast<uint64_t>(std::fmod(cycles, 4294967296.0));
    return true;
  }

  static uint64_t MmioRead(uc_engine* uc, uint64_t offset, unsigned size, void* user) {
    auto* window = static_cast<MmioWindow*>(user);
    Emulator* self = window->owner;
    if (self->callback_failed_ || !self->callback_env_) return 0;
    uint64_t served = 0;
    if (size == 4 && window->base + offset == self->counter_address_ && self->ServeCounter(&served)) return served;
    Napi::Env env = *self->callback_env_;
    Napi::Value result = window->read.Call({
      Napi::Number::New(env, static_cast<double>(window->base + offset)), Napi::Number::New(env, size),
      Napi::Number::New(env, static_cast<double>(self->instructions_))});
    if (self->CaptureException(uc, env)) return 0;
    return result.IsNumber() ? static_cast<uint64_t>(result.As<Napi::Number>().Int64Value()) & 0xffffffffu : 0;
  }

  static void MmioWrite(uc_engine* uc, uint64_t offset, unsigned size, uint64_t value, void* user) {
    auto* window = static_cast<MmioWindow*>(user);
    Emulator* self = window->owner;
    if (self->callback_failed_ || !self->callback_env_) return;
    Napi::Env env = *self->callback_env_;
    window->write.Call({
      Napi::Number::New(env, static_cast<double>(window->base + offset)), Napi::Number::New(env, size),
      Napi::Number::New(env, static_cast<double>(value & 0xffffffffu)),
      Napi::Number::New(env, static_cast<double>(self->instructions_))});
    self->CaptureException(uc, env);
  }

  // A JS callback threw: stop the emulation and keep the exception for Run() to rethrow.
  bool CaptureException(uc_engine* uc, Napi::Env env) {
    if (!env.IsExceptionPending()) return false;
    callback_failed_ = true;
    callback_error_ = Napi::Reference<Napi::Value>::New(env.GetAndClearPendingException().Value(), 1);
    uc_emu_stop(uc);
    return true;
  }

  // mapMmio(address, size, read(address, size, instructions) -> value, write(address, size, value, instructions))
  Napi::Value MapMmio(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env)) return env.Undefined();
    uint64_t base = 0, length = 0;
    if (!Unsigned(info, 0, "mapMmio", &base) || !Unsigned(info, 1, "mapMmio", &length)) return env.Undefined();
    if (!info[2].IsFunction()) {
      TypeFailure(env, "mapMmio", 2, "a function");
      return env.Undefined();
    }
    if (!info[3].IsFunction()) {
      TypeFailure(env, "mapMmio", 3, "a function");
      return env.Undefined();
    }
    auto window = std::make_unique<MmioWindow>();
    window->owner = this;
    window->base = base;
    window->read = Napi::Persistent(info[2].As<Napi::Function>());
    window->write = Napi::Persistent(info[3].As<Napi::Function>());
    if (Check(env, uc_mmio_map(uc_, window->base, length, &MmioRead, window.get(), &MmioWrite, window.get()), "uc_mmio_map")) {
      windows_.push_back(std::move(window));
    }
    return env.Undefined();
  }

  static int RegisterId(const std::string& name) {
    static const struct { const char* name; int id; } registers[] = {
      {"r0", UC_ARM_REG_R0}, {"r1", UC_ARM_REG_R1}, {"r2", UC_ARM_REG_R2}, {"r3", UC_ARM_REG_R3},
      {"r4", UC_ARM_REG_R4}, {"r5", UC_ARM_REG_R5}, {"r6", UC_ARM_REG_R6}, {"r7", UC_ARM_REG_R7},
      {"r8", UC_ARM_REG_R8}, {"r9", UC_ARM_REG_R9}, {"r10", UC_ARM_REG_R10}, {"r11", UC_ARM_REG_R11},
      {"r12", UC_ARM_REG_R12}, {"sp", UC_ARM_REG_SP}, {"lr", UC_ARM_REG_LR}, {"pc", UC_ARM_REG_PC},
      {"xpsr", UC_ARM_REG_XPSR}, {"msp", UC_ARM_REG_MSP}, {"control", UC_ARM_REG_CONTROL},
      {"primask", UC_ARM_REG_PRIMASK}, {"basepri", UC_ARM_REG_BASEPRI}, {"psp", UC_ARM_REG_PSP},
    };
    for (const auto& r : registers) if (name == r.name) return r.id;
    return -1;
  }

  Napi::Value RegRead(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env)) return env.Undefined();
    if (!info[0].IsString()) {
      TypeFailure(env, "regRead", 0, "a register name");
      return env.Undefined();
    }
    int id = RegisterId(info[0].As<Napi::String>().Utf8Value());
    if (id < 0) {
      Napi::Error::New(env, "unknown register").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uint32_t value = 0;
    Check(env, uc_reg_read(uc_, id, &value), "uc_reg_read");
    return Napi::Number::New(env, value);
  }

  Napi::Value RegWrite(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env)) return env.Undefined();
    if (!info[0].IsString()) {
      TypeFailure(env, "regWrite", 0, "a register name");
      return env.Undefined();
    }
    if (!info[1].IsNumber()) {
      TypeFailure(env, "regWrite", 1, "a number");
      return env.Undefined();
    }
    int id = RegisterId(info[0].As<Napi::String>().Utf8Value());
    if (id < 0) {
      Napi::Error::New(env, "unknown register").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uint32_t value = info[1].As<Napi::Number>().Uint32Value();
    Check(env, uc_reg_write(uc_, id, &value), "uc_reg_write");
    return env.Undefined();
  }

  Napi::Value AddStopAddress(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env) || !Idle(env, "addStopAddress")) return env.Undefined();
    uint64_t address = 0;
    if (!Unsigned(info, 0, "addStopAddress", &address)) return env.Undefined();
    address &= ~1ull;
    if (stop_hooks_.count(address)) return env.Undefined();
    uc_hook hook;
    if (Check(env, uc_hook_add(uc_, &hook, UC_HOOK_CODE, reinterpret_cast<void*>(&StopHere), this, address, address), "uc_hook_add")) {
      stop_hooks_[address] = hook;
    }
    return env.Undefined();
  }

  Napi::Value RemoveStopAddress(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env) || !Idle(env, "removeStopAddress")) return env.Undefined();
    uint64_t address = 0;
    if (!Unsigned(info, 0, "removeStopAddress", &address)) return env.Undefined();
    auto found = stop_hooks_.find(address & ~1ull);
    if (found == stop_hooks_.end()) return env.Undefined();
    Check(env, uc_hook_del(uc_, found->second), "uc_hook_del");
    stop_hooks_.erase(found);
    return env.Undefined();
  }

  // run(begin, until, maxInstructions) -> { error, stoppedAt | undefined }
  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env) || !Idle(env, "run")) return env.Undefined();
    uint64_t begin = 0, until = 0, count = 0;
    if (!Unsigned(info, 0, "run", &begin) || !Unsigned(info, 1, "run", &until)) return env.Undefined();
    if (Present(info, 2) && !Unsigned(info, 2, "run", &count)) return env.Undefined();
    callback_env_ = &env;
    callback_failed_ = false;
    stopped_ = false;
    stop_kind_ = kStopNone;
    sev_ = false;
    invalid_access_ = false;
    // The budget is counted by the instruction hook (unicorn's own count would add a second hook).
    limit_ = count > 0 ? instructions_ + count : UINT64_MAX;
    begin_ = begin & ~1ull;
    left_begin_ = !(Present(info, 3) && info[3].ToBoolean().Value());
    running_ = true;
    uc_err err = uc_emu_start(uc_, begin | 1, until & ~1ull, 0, 0);
    running_ = false;
    callback_env_ = nullptr;
    if (callback_failed_) {
      Napi::Value error = callback_error_.Value();
      callback_error_.Reset();
      throw_value(env, error);
      return env.Undefined();
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("error", err == UC_ERR_OK ? env.Null() : Napi::String::New(env, uc_strerror(err)).As<Napi::Value>());
    result.Set("errorCode", Napi::Number::New(env, err));
    if (stopped_) {
      result.Set("stoppedAt", Napi::Number::New(env, static_cast<double>(stopped_at_)));
      result.Set("stop", Napi::String::New(env, kStopNames[stop_kind_]));
    }
    result.Set("sev", Napi::Boolean::New(env, sev_));
    if (invalid_access_) {
      Napi::Object access = Napi::Object::New(env);
      access.Set("address", Napi::Number::New(env, static_cast<double>(invalid_address_)));
      access.Set("size", Napi::Number::New(env, invalid_size_));
      bool write = invalid_type_ == UC_MEM_WRITE_UNMAPPED || invalid_type_ == UC_MEM_WRITE_PROT;
      bool fetch = invalid_type_ == UC_MEM_FETCH_UNMAPPED || invalid_type_ == UC_MEM_FETCH_PROT;
      access.Set("kind", Napi::String::New(env, fetch ? "fetch" : write ? "write" : "read"));
      access.Set("protected", Napi::Boolean::New(env, invalid_type_ == UC_MEM_WRITE_PROT || invalid_type_ == UC_MEM_READ_PROT || invalid_type_ == UC_MEM_FETCH_PROT));
      result.Set("invalidAccess", access);
    }
    return result;
  }

  static void throw_value(Napi::Env env, Napi::Value error) {
    napi_throw(env, error);
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env)) return env.Undefined();
    uc_emu_stop(uc_);
    return env.Undefined();
  }

  // limitTo(count): while run() executes (from a peripheral callback), stop before the instruction
  // count reaches `count` if that is sooner than the run's own budget: an event fell due earlier.
  Napi::Value LimitTo(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint64_t count = 0;
    if (!Unsigned(info, 0, "limitTo", &count)) return env.Undefined();
    if (count < limit_) limit_ = count;
    return env.Undefined();
  }

  // shareClockState(address, Float64Array): reads of the 32-bit register at `address` are answered
  // from the array's numbers (layout: enum ClockState) while its first element is 1.
  Napi::Value ShareClockState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Open(env) || !Idle(env, "shareClockState")) return env.Undefined();
    uint64_t address = 0;
    if (!Unsigned(info, 0, "shareClockState", &address)) return env.Undefined();
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
      TypeFailure(env, "shareClockState", 1, "a Float64Array");
      return env.Undefined();
    }
    auto state = info[1].As<Napi::Float64Array>();
    if (state.ElementLength() < kClockStateLength) {
      Napi::RangeError::New(env, "shareClockState: the array is too short").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    clock_array_ = Napi::Persistent(state);
    clock_ = state.Data();
    counter_address_ = address;
    return env.Undefined();
  }

  Napi::Value Instructions(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(instructions_));
  }

  // close() twice is harmless; closing from a callback while run() executes is refused.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Idle(env, "close")) return env.Undefined();
    Shutdown();
    return env.Undefined();
  }
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Emulator", Emulator::Define(env));
  exports.Set("PROT_READ", Napi::Number::New(env, UC_PROT_READ));
  exports.Set("PROT_WRITE", Napi::Number::New(env, UC_PROT_WRITE));
  exports.Set("PROT_EXEC", Napi::Number::New(env, UC_PROT_EXEC));
  return exports;
}

}  // namespace

NODE_API_MODULE(fusop_unicorn, Init)
