define(function () {
    return {
        init() {
            throw new Error("this controller throws on purpose");
        },
    };
});
