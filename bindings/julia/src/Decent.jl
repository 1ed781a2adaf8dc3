# Decent: the Julia interface of libdecent (decentralized data-parallel training).
#
#   using Decent
#   t = Trainer(model="lenet", data="fashion-mnist", nodes=4, topology="one-peer-exp", epochs=1)
#   run!(t; progress = p -> (println(p.kind, " ", p.step, " ", p.loss); false))
#   accuracy, loss = evaluate(t)
#
# Handles are freed by finalizers (or at once with close); failures throw DecentError with the
# C ABI's status and message; arrays are Julia arrays passed without copies under GC.@preserve.
# Untested at run time: no Julia is installable where decent is developed (README.md).
module Decent

include("LibDecent.jl")
using .LibDecent
const L = LibDecent

export DecentError, Topology, Dataset, Model, Trainer, nodes, rho, weights, parameters,
       set_parameters!, predict, batch, partition, run!, step!, evaluate, save, load!,
       averaged_model, version

"""A failed decent call: `status` is the C ABI's decent_status, `msg` decent_last_error()."""
struct DecentError <: Exception
    status::Cint
    name::String
    msg::String
end
Base.showerror(io::IO, e::DecentError) = print(io, e.name, ": ", e.msg)

function check(status::Cint)
    status == L.DECENT_OK && return nothing
    throw(DecentError(status, unsafe_string(L.decent_status_name(status)),
                      unsafe_string(L.decent_last_error())))
end

version() = unsafe_string(L.decent_version())

function __init__()
    abi = L.decent_abi_version()
    abi == 0 || error("Decent.jl: libdecent's ABI version $abi is not the supported 0")
end

# Creates a handle with `create(out)` and attaches `free` as finalizer.
mutable struct Handle
    ptr::Ptr{Cvoid}
    free::Function
end
function Handle(create, free)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(create(out))
    h = Handle(out[], free)
    finalizer(h) do x
        x.ptr == C_NULL || x.free(x.ptr)
        x.ptr = C_NULL
    end
    return h
end
function ptr(h::Handle)
    h.ptr == C_NULL && throw(DecentError(1, "DECENT_ERR_INVALID_ARGUMENT", "handle used after close"))
    return h.ptr
end
Base.close(h::Handle) = (h.ptr == C_NULL || h.free(h.ptr); h.ptr = C_NULL; nothing)

"""A communication graph: `Topology("ring", 8)`, `Topology("torus:4x4")`."""
struct Topology
    h::Handle
end
Topology(spec::AbstractString, n::Integer = 0) =
    Topology(Handle(out -> L.decent_topology_create(spec, n, out), L.decent_topology_free))
Base.close(t::Topology) = close(t.h)
nodes(t::Topology) = (r = Ref{Cint}(0); check(L.decent_topology_nodes(ptr(t.h), r)); Int(r[]))
function rho(t::Topology; start::Integer = 0, steps::Integer = 0)
    r = Ref{Cdouble}(0)
    check(L.decent_topology_rho(ptr(t.h), start, steps, r))
    return r[]
end
function weights(t::Topology, step::Integer = 0)
    n = nodes(t)
    w = Matrix{Float64}(undef, n, n)
    check(L.decent_topology_weights(ptr(t.h), step, w, length(w)))
    return permutedims(w)  # C fills row-major
end

"""An image set: `Dataset("fashion-mnist")`, `Dataset("cifar10", dir; train=false)`."""
struct Dataset
    h::Handle
end
Dataset(kind::AbstractString, path::Union{Nothing,AbstractString} = nothing; train::Bool = true) =
    Dataset(Handle(out -> L.decent_dataset_open(kind, path === nothing ? C_NULL : path, train, out),
                   L.decent_dataset_free))
Base.close(d::Dataset) = close(d.h)
Base.length(d::Dataset) = (r = Ref{Int64}(0); check(L.decent_dataset_size(ptr(d.h), r)); Int(r[]))
function Base.size(d::Dataset)
    c, h, w, k = Ref{Int64}(0), Ref{Int64}(0), Ref{Int64}(0), Ref{Int64}(0)
    check(L.decent_dataset_shape(ptr(d.h), c, h, w, k))
    return (c[], h[], w[], k[])
end
"""Images (W x H x C x N, the C layout read column-major) and labels of 0-based `indices`."""
function batch(d::Dataset, indices::AbstractVector{<:Integer})
    idx = Vector{Int64}(indices)
    c, h, w, _ = size(d)
    images = Array{Float32}(undef, w, h, c, length(idx))
    labels = Vector{Int32}(undef, length(idx))
    GC.@preserve idx images labels check(L.decent_dataset_batch(ptr(d.h), idx, length(idx), images,
                                                                 length(images), labels, length(labels)))
    return images, labels
end
function partition(d::Dataset, spec::AbstractString, n::Integer, node::Integer; seed::Integer = 1)
    out = Vector{Int64}(undef, length(d))
    count = Ref{Csize_t}(0)
    check(L.decent_dataset_partition(ptr(d.h), spec, n, seed, node, out, length(out), count))
    return out[1:count[]]
end

"""A network with flat parameters: `Model("resnet20"; channels=3, height=32, width=32)`."""
struct Model
    h::Handle
end
Model(name::AbstractString; channels = 1, height = 28, width = 28, classes = 10, seed = 1) =
    Model(Handle(out -> L.decent_model_create(name, channels, height, width, classes, seed, out),
                 L.decent_model_free))
Base.close(m::Model) = close(m.h)
function parameters(m::Model)
    n = Ref{Int64}(0)
    check(L.decent_model_parameter_count(ptr(m.h), n, C_NULL))
    x = Vector{Float32}(undef, n[])
    check(L.decent_model_get_parameters(ptr(m.h), x, length(x)))
    return x
end
set_parameters!(m::Model, x::Vector{Float32}) = check(L.decent_model_set_parameters(ptr(m.h), x, length(x)))
"""Logits (classes x N) of images (W x H x C x N)."""
function predict(m::Model, images::Array{Float32,4})
    k = Ref{Int64}(0)
    check(L.decent_model_shape(ptr(m.h), C_NULL, C_NULL, C_NULL, k))
    n = size(images, 4)
    logits = Matrix{Float32}(undef, k[], n)
    check(L.decent_model_predict(ptr(m.h), images, length(images), n, logits, length(logits)))
    return logits
end

"""Decentralized training on in-process nodes; keywords are decent_train_options' fields."""
mutable struct Trainer
    h::Handle
    strings::Vector{String}  # kept alive: the options struct points into them until create
end
function Trainer(; kwargs...)
    # Zeros of the right count; decent_train_default_options then fills in every default.
    o = L.TrainOptions(zeros(Int, fieldcount(L.TrainOptions))...)
    check(L.decent_train_default_options(o))
    keep = String[]
    for (k, v) in kwargs
        hasfield(L.TrainOptions, k) && k != :struct_size || throw(ArgumentError("unknown option $k"))
        if fieldtype(L.TrainOptions, k) == Cstring
            s = String(v)
            push!(keep, s)
            setfield!(o, k, Base.unsafe_convert(Cstring, s))
        else
            setfield!(o, k, convert(fieldtype(L.TrainOptions, k), v))
        end
    end
    h = GC.@preserve keep Handle(out -> L.decent_trainer_create(o, out), L.decent_trainer_free)
    return Trainer(h, keep)
end
Base.close(t::Trainer) = close(t.h)

# The progress trampoline: `user` is a pointer to the Julia callable (kept alive by run!).
function progress_trampoline(p::Ptr{L.Progress}, user::Ptr{Cvoid})::Cint
    f = unsafe_pointer_to_objref(user)
    stop = try
        f(unsafe_load(p)) === true
    catch
        true
    end
    return Cint(stop)
end

"""Trains to the end; `progress(p::LibDecent.Progress)` returning true stops after that step."""
function run!(t::Trainer; progress = nothing)
    if progress === nothing
        check(L.decent_trainer_run(ptr(t.h), C_NULL, C_NULL))
    else
        cb = @cfunction(progress_trampoline, Cint, (Ptr{L.Progress}, Ptr{Cvoid}))
        ref = Ref{Any}(progress)
        GC.@preserve ref check(L.decent_trainer_run(ptr(t.h), cb, pointer_from_objref(ref[])))
    end
    return t
end
step!(t::Trainer, n::Integer = 1) = (check(L.decent_trainer_step(ptr(t.h), n)); t)
function evaluate(t::Trainer)
    a, l = Ref{Cdouble}(0), Ref{Cdouble}(0)
    check(L.decent_trainer_evaluate(ptr(t.h), a, l))
    return a[], l[]
end
averaged_model(t::Trainer) = Model(Handle(out -> L.decent_trainer_model(ptr(t.h), out), L.decent_model_free))
save(t::Trainer, dir::AbstractString) = check(L.decent_trainer_save(ptr(t.h), dir))
load!(t::Trainer, dir::AbstractString) = (check(L.decent_trainer_load(ptr(t.h), dir)); t)

end # module
