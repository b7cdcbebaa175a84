define(function() {
    function init() {
        this._socket = this.viewContext.getWebSocket("chat/dummy socket");
                
        this.configureSocketDummy();
        this.start();
    }
    
    function start() {
        var messaging = this.clientRuntime.messaging;
        
        var root = this.viewContext.getRoot();
        var btnDummyTalk = root.find("input[data-itemid='btnCustomHandler']");
        
        var self = this;
                                                         
        btnDummyTalk.click(function() {
            self._socket.emit("hello", {"ignored": true});
        });
    }
    
    /**
     * Method used to communicate with the dummy server side handler.
     */
    function configureSocketDummy() {
        this._socket.on("bye", function(data) {
            alert(JSON.stringify(data));
        });
    }
    
    return {init: init,
            start: start,
            configureSocketDummy: configureSocketDummy}
});
