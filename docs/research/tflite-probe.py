# Research experiment: tiny int8 model FC->RESHAPE->TRANSPOSE_CONV->CONV_2D->TANH,
# run with LiteRT BUILTIN_REF, compare with candidate integer formulas.
import math, sys
import numpy as np
import flatbuffers
from ai_edge_litert import schema_py_generated as S
from ai_edge_litert.interpreter import Interpreter, OpResolverType

rng = np.random.default_rng(1)
f32 = np.float32

def qp(scales, zps, qdim=0):
    q = S.QuantizationParametersT()
    q.scale = [float(f32(s)) for s in scales]
    q.zeroPoint = [int(z) for z in zps]
    q.quantizedDimension = qdim
    return q

tensors, buffers = [], [S.BufferT()]  # buffer 0 empty sentinel
def add_tensor(name, shape, ttype, quant=None, data=None):
    t = S.TensorT(); t.name = name; t.shape = list(shape); t.type = ttype
    t.quantization = quant
    if data is not None:
        b = S.BufferT(); b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8)
        buffers.append(b); t.buffer = len(buffers) - 1
    else:
        t.buffer = 0
    tensors.append(t); return len(tensors) - 1

# ---- scales (float32 is the source of truth)
s_in, z_in = f32(0.0473), -5
s_fc, z_fc = f32(0.0391), -128        # FC out (ReLU)
s_tc, z_tc = f32(0.0617), -128        # transpose conv out (ReLU)
s_cv, z_cv = f32(0.0286), 7           # conv out (pre-tanh)
s_th, z_th = f32(1/128), 0

IN, FO = 8, 16
w_fc = rng.integers(-127, 128, (FO, IN)).astype(np.int8)
sw_fc = (rng.uniform(0.002, 0.02, FO)).astype(f32)
b_fc = rng.integers(-3000, 3000, FO).astype(np.int32)
# transpose conv: in [1,2,2,4] -> out [1,4,4,3], weights OHWI [3,4,4,4]
w_tc = rng.integers(-127, 128, (3, 4, 4, 4)).astype(np.int8)
sw_tc = rng.uniform(0.002, 0.02, 3).astype(f32)
b_tc = rng.integers(-2000, 2000, 3).astype(np.int32)
# conv: [1,4,4,3] -> [1,4,4,2], weights OHWI [2,3,3,3]
w_cv = rng.integers(-127, 128, (2, 3, 3, 3)).astype(np.int8)
sw_cv = rng.uniform(0.002, 0.02, 2).astype(f32)
b_cv = rng.integers(-2000, 2000, 2).astype(np.int32)

T = S.TensorType
t_in = add_tensor("input", [1, IN], T.INT8, qp([s_in], [z_in]))
t_wfc = add_tensor("fc_w", [FO, IN], T.INT8, qp(sw_fc, [0]*FO, 0), w_fc)
t_bfc = add_tensor("fc_b", [FO], T.INT32, qp([f32(s_in*s) for s in sw_fc], [0]*FO, 0), b_fc)
t_fc = add_tensor("fc_out", [1, FO], T.INT8, qp([s_fc], [z_fc]))
t_shape = add_tensor("reshape_shape", [4], T.INT32, None, np.array([1, 2, 2, 4], np.int32))
t_rs = add_tensor("reshape_out", [1, 2, 2, 4], T.INT8, qp([s_fc], [z_fc]))
t_oshape = add_tensor("tc_out_shape", [4], T.INT32, None, np.array([1, 4, 4, 3], np.int32))
t_wtc = add_tensor("tc_w", [3, 4, 4, 4], T.INT8, qp(sw_tc, [0]*3, 0), w_tc)
t_btc = add_tensor("tc_b", [3], T.INT32, qp([f32(s_fc*s) for s in sw_tc], [0]*3, 0), b_tc)
t_tc = add_tensor("tc_out", [1, 4, 4, 3], T.INT8, qp([s_tc], [z_tc]))
t_wcv = add_tensor("cv_w", [2, 3, 3, 3], T.INT8, qp(sw_cv, [0]*2, 0), w_cv)
t_bcv = add_tensor("cv_b", [2], T.INT32, qp([f32(s_tc*s) for s in sw_cv], [0]*2, 0), b_cv)
t_cv = add_tensor("cv_out", [1, 4, 4, 2], T.INT8, qp([s_cv], [z_cv]))
t_th = add_tensor("tanh_out", [1, 4, 4, 2], T.INT8, qp([s_th], [z_th]))

B = S.BuiltinOperator; BO = S.BuiltinOptions
codes = []
def opcode(code, version):
    c = S.OperatorCodeT(); c.builtinCode = code; c.deprecatedBuiltinCode = min(code, 127); c.version = version
    codes.append(c); return len(codes) - 1
oc_fc = opcode(B.FULLY_CONNECTED, 4)
oc_rs = opcode(B.RESHAPE, 1)
oc_tc = opcode(B.TRANSPOSE_CONV, 4)
oc_cv = opcode(B.CONV_2D, 3)
oc_th = opcode(B.TANH, 2)

ops = []
def op(oc, ins, outs, otype=0, opts=None):
    o = S.OperatorT(); o.opcodeIndex = oc; o.inputs = ins; o.outputs = outs
    o.builtinOptionsType = otype; o.builtinOptions = opts; ops.append(o)
fco = S.FullyConnectedOptionsT(); fco.fusedActivationFunction = S.ActivationFunctionType.RELU
op(oc_fc, [t_in, t_wfc, t_bfc], [t_fc], BO.FullyConnectedOptions, fco)
rso = S.ReshapeOptionsT(); rso.newShape = [1, 2, 2, 4]
op(oc_rs, [t_fc, t_shape], [t_rs], BO.ReshapeOptions, rso)
tco = S.TransposeConvOptionsT(); tco.padding = S.Padding.SAME; tco.strideW = 2; tco.strideH = 2
tco.fusedActivationFunction = S.ActivationFunctionType.RELU
op(oc_tc, [t_oshape, t_wtc, t_rs, t_btc], [t_tc], BO.TransposeConvOptions, tco)
cvo = S.Conv2DOptionsT(); cvo.padding = S.Padding.SAME; cvo.strideW = 1; cvo.strideH = 1
cvo.fusedActivationFunction = S.ActivationFunctionType.NONE
op(oc_cv, [t_tc, t_wcv, t_bcv], [t_cv], BO.Conv2DOptions, cvo)
op(oc_th, [t_cv], [t_th])

sg = S.SubGraphT(); sg.tensors = tensors; sg.inputs = [t_in]; sg.outputs = [t_th]; sg.operators = ops; sg.name = "main"
m = S.ModelT(); m.version = 3; m.operatorCodes = codes; m.subgraphs = [sg]; m.buffers = buffers; m.description = "exp"
bld = flatbuffers.Builder(1024); bld.Finish(m.Pack(bld), file_identifier=b"TFL3")
model = bytes(bld.Output())
open("/tmp/exp/tiny.tflite", "wb").write(model)
print("model bytes", len(model))

# ---- candidate arithmetic
def quantize_multiplier(d):
    if d == 0: return 0, 0
    q, e = math.frexp(d)
    qf = round_half_away(q * (1 << 31))
    if qf == (1 << 31): qf //= 2; e += 1
    if e < -31: e, qf = 0, 0
    return int(qf), e
def round_half_away(x):
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)
def srdhm(a, b):
    if a == b == -(1 << 31): return (1 << 31) - 1
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else (1 - (1 << 30))
    v = ab + nudge
    return int(v / (1 << 31)) if False else (v // (1 << 31) if v >= 0 else -((-v) // (1 << 31)))  # trunc toward 0
def rdbpot(x, e):
    mask = (1 << e) - 1; rem = x & mask; thr = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if rem > thr else 0)
def mbqm_double(acc, m, sh):
    l = sh if sh > 0 else 0; r = 0 if sh > 0 else -sh
    return rdbpot(srdhm(acc * (1 << l), m), r)
def mbqm_single(acc, m, sh):
    ts = 31 - sh; return (acc * m + (1 << (ts - 1))) >> ts
def eff(si, sw, so): return float(si) * float(sw) / float(so)

def requant(acc, e, mode):
    if mode == "float": return int(round_half_away(acc * e))
    m, s = quantize_multiplier(e)
    return mbqm_double(acc, m, s) if mode == "double" else mbqm_single(acc, m, s)

def fc(x, mode):
    out = np.zeros(FO, np.int32)
    for o in range(FO):
        acc = int(np.sum(w_fc[o].astype(np.int64) * (x.astype(np.int64) - z_in))) + int(b_fc[o])
        v = requant(acc, eff(s_in, sw_fc[o], s_fc), mode) + z_fc
        out[o] = min(127, max(max(-128, z_fc), v))
    return out.astype(np.int8)
def tconv(x, mode):  # x [2,2,4] NHWC(batch1)
    acc = np.zeros((4, 4, 3), np.int64)
    for iy in range(2):
        for ix in range(2):
            for ic in range(4):
                for fy in range(4):
                    for fx in range(4):
                        oy, ox = iy * 2 - 1 + fy, ix * 2 - 1 + fx
                        if 0 <= oy < 4 and 0 <= ox < 4:
                            for oc in range(3):
                                acc[oy, ox, oc] += (int(x[iy, ix, ic]) - z_fc) * int(w_tc[oc, fy, fx, ic])
    out = np.zeros((4, 4, 3), np.int8)
    for oy in range(4):
        for ox in range(4):
            for oc in range(3):
                v = requant(int(acc[oy, ox, oc]) + int(b_tc[oc]), eff(s_fc, sw_tc[oc], s_tc), mode) + z_tc
                out[oy, ox, oc] = min(127, max(max(-128, z_tc), v))
    return out
def conv(x, mode):
    out = np.zeros((4, 4, 2), np.int8)
    for oy in range(4):
        for ox in range(4):
            for oc in range(2):
                acc = 0
                for fy in range(3):
                    for fx in range(3):
                        iy, ix = oy - 1 + fy, ox - 1 + fx
                        if 0 <= iy < 4 and 0 <= ix < 4:
                            for ic in range(3):
                                acc += (int(x[iy, ix, ic]) - z_tc) * int(w_cv[oc, fy, fx, ic])
                v = requant(acc + int(b_cv[oc]), eff(s_tc, sw_cv[oc], s_cv), mode) + z_cv
                out[oy, ox, oc] = min(127, max(-128, v))
    return out
lut = {}
for v in range(-128, 128):
    d = f32(s_cv) * f32(v - z_cv)
    t = f32(np.tanh(d))
    r = round_half_away(float(f32(t * f32(1 / s_th))))
    lut[v] = min(127, max(-128, int(r) + z_th))

res = {}
for resolver in ["BUILTIN_REF", "BUILTIN"]:
    it = Interpreter(model_content=model, experimental_op_resolver_type=getattr(OpResolverType, resolver),
                     experimental_preserve_all_tensors=True)
    it.allocate_tensors()
    stats = {k: {"float": 0, "double": 0, "single": 0} for k in ["fc", "tc", "cv"]}
    tanh_ok = 0; n = 0; ntot = {"fc": 0, "tc": 0, "cv": 0}
    for trial in range(300):
        x = rng.integers(-128, 128, IN).astype(np.int8)
        it.set_tensor(t_in, x[None, :]); it.invoke()
        g = {i: it.get_tensor(i) for i in [t_fc, t_rs, t_tc, t_cv, t_th]}
        fc_in = g[t_fc][0]; tc_in = g[t_rs][0]; cv_in = g[t_tc][0]
        for mode in ["float", "double", "single"]:
            stats["fc"][mode] += int(np.sum(fc(x, mode) == fc_in))
            stats["tc"][mode] += int(np.sum(tconv(tc_in, mode) == cv_in))
            stats["cv"][mode] += int(np.sum(conv(cv_in, mode) == g[t_cv][0]))
        ntot["fc"] += FO; ntot["tc"] += 48; ntot["cv"] += 32
        tanh_ok += int(np.sum(np.vectorize(lut.get)(g[t_cv][0]) == g[t_th][0])); n += 32
    print(resolver, {k: (v, ntot[k]) for k, v in stats.items()}, "tanh LUT match", tanh_ok, "/", n)
    if resolver == "BUILTIN_REF":
        for d in it.get_tensor_details()[:3]:
            print(" detail", {k: d[k] for k in ["name", "index", "shape", "dtype"]}, d["quantization_parameters"]["scales"][:2])
