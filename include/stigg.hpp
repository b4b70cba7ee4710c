// stigg.hpp: a small RAII face of libstigg for C++17 (hand-written over the generated stigg.h).
//
//   stigg::Client client(config);               // stigg_client_free on scope exit
//   auto r = client.metered("c-1", "feature-x", 3);
//   std::string ack = client.call("reportUsage", R"({"customerId":"c-1","featureId":"f","value":1})");
//
// Errors become stigg::Error (code(), trace_id(), what()).
#ifndef STIGG_HPP
#define STIGG_HPP

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "stigg.h"

namespace stigg {

/// An error of a libstigg call: Stigg's code, message and trace id.
class Error : public std::runtime_error {
  public:
    explicit Error(stigg_error_t *e)
        : std::runtime_error(stigg_error_message(e)), code_(stigg_error_code(e)),
          trace_id_(stigg_error_trace_id(e) ? stigg_error_trace_id(e) : "") {
        stigg_error_free(e);
    }
    /// Stigg's error code (`CustomerNotFound`, `InvalidArgument`, ...).
    const std::string &code() const noexcept { return code_; }
    /// The server's trace id ("" when none).
    const std::string &trace_id() const noexcept { return trace_id_; }

  private:
    std::string code_, trace_id_;
};

/// Throws when a call returned an error.
inline void check(stigg_error_t *e) {
    if (e) throw Error(e);
}

/// Owns a `stigg_details_t`.
using Details = std::unique_ptr<stigg_details_t, decltype(&stigg_details_free)>;

/// A metered result with its (optional) details.
struct Metered {
    stigg_metered_result_t result;
    Details details{nullptr, &stigg_details_free};
};

/// A Stigg client (move-only).
class Client {
  public:
    explicit Client(const stigg_config_t &config) {
        stigg_client_t *c = nullptr;
        check(stigg_client_new(&config, &c));
        client_.reset(c);
    }
    explicit Client(const std::string &config_json) {
        stigg_client_t *c = nullptr;
        check(stigg_client_new_json(config_json.c_str(), &c));
        client_.reset(c);
    }

    /// `waitForInitialization`.
    void wait_for_initialization() { check(stigg_client_wait_for_initialization(get())); }

    /// `getBooleanEntitlement`: the plain result (no details).
    stigg_boolean_result_t boolean(const std::string &customer, const std::string &feature) const {
        stigg_boolean_result_t r;
        check(stigg_client_get_boolean(get(), customer.c_str(), feature.c_str(), nullptr, &r));
        return r;
    }

    /// `getMeteredEntitlement` with an optional requested usage; details on request.
    Metered metered(const std::string &customer, const std::string &feature,
                    std::optional<double> requested = std::nullopt, bool details = false) const {
        stigg_check_options_t o{};
        o.has_requested_usage = requested.has_value();
        o.requested_usage = requested.value_or(0);
        o.include_details = details;
        Metered m;
        check(stigg_client_get_metered(get(), customer.c_str(), feature.c_str(), &o, &m.result));
        m.details.reset(m.result.details);
        m.result.details = nullptr;
        return m;
    }

    /// Stores a fixture state (offline tests).
    void set_entitlements_state(const std::string &customer, const std::string &state_json) {
        check(stigg_client_set_entitlements_state_json(get(), customer.c_str(), nullptr, state_json.c_str()));
    }

    /// A write or management call: JSON in, JSON out.
    std::string call(const std::string &operation, const std::string &input_json) {
        char *out = nullptr;
        check(stigg_client_call(get(), operation.c_str(), input_json.c_str(), &out));
        std::string s(out ? out : "null");
        stigg_string_free(out);
        return s;
    }

    /// The C handle, for functions this header does not wrap.
    stigg_client_t *get() const noexcept { return client_.get(); }

  private:
    std::unique_ptr<stigg_client_t, decltype(&stigg_client_free)> client_{nullptr, &stigg_client_free};
};

}  // namespace stigg

#endif
